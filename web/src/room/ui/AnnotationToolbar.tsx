// The drawing tools above a page, for those who may annotate it: tools, colours, widths,
// undo/redo and clear page. Reads and changes the Annotator; draws nothing itself.
import { Icon, type IconName } from '../../components/Icon';
import { useStore } from '../../lib/useStore';
import type { Annotator, OpenPage } from '../annotate/annotator';
import { inkColors, inkWidths, toolLabels, type ToolName } from '../annotate/tools';

const toolIcons: Record<ToolName, IconName> = {
  pen: 'edit',
  highlighter: 'highlighter',
  line: 'line',
  arrow: 'arrow',
  rect: 'rect',
  ellipse: 'ellipse',
  text: 'text',
  eraser: 'eraser',
  laser: 'laser',
};

export function AnnotationToolbar({ annotator, open }: { annotator: Annotator; open: OpenPage }) {
  const settings = useStore(annotator.tools);
  const page = useStore(open.connection.store);
  if (page.status === 'refused')
    return (
      <div className="alert" role="alert">
        The server did not accept your drawing: you may not annotate this page right now.
      </div>
    );
  const ink = open.connection.ink;
  return (
    <div className="ink-toolbar" role="toolbar" aria-label="Drawing tools">
      <div className="ink-group">
        {toolLabels.map(({ tool, label }) => (
          <button
            key={tool}
            type="button"
            className="btn btn-icon"
            aria-label={label}
            title={label}
            aria-pressed={settings.tool === tool}
            onClick={() => annotator.setTools({ tool })}
          >
            <Icon name={toolIcons[tool]} />
          </button>
        ))}
      </div>
      <div className="ink-group" role="group" aria-label="Colour">
        {inkColors.map(({ color, label }) => (
          <button
            key={color}
            type="button"
            className="ink-swatch"
            aria-label={label}
            title={label}
            aria-pressed={settings.color === color}
            style={{ backgroundColor: color }}
            onClick={() => annotator.setTools({ color })}
          />
        ))}
      </div>
      <div className="ink-group" role="group" aria-label="Width">
        {inkWidths.map(({ width, label }) => (
          <button
            key={width}
            type="button"
            className="btn btn-icon"
            aria-label={label}
            title={label}
            aria-pressed={settings.width === width}
            onClick={() => annotator.setTools({ width })}
          >
            <span className="ink-width" style={{ height: Math.round(width * 1000) }} />
          </button>
        ))}
      </div>
      <div className="ink-group">
        <button
          type="button"
          className="btn btn-icon"
          aria-label="Undo"
          title="Undo (Ctrl+Z)"
          disabled={!page.canUndo}
          onClick={() => ink.undo()}
        >
          <Icon name="undo" />
        </button>
        <button
          type="button"
          className="btn btn-icon"
          aria-label="Redo"
          title="Redo (Ctrl+Shift+Z)"
          disabled={!page.canRedo}
          onClick={() => ink.redo()}
        >
          <Icon name="redo" />
        </button>
        <button type="button" className="btn" disabled={page.strokes.length === 0} onClick={() => ink.clear()}>
          Clear page
        </button>
      </div>
    </div>
  );
}
