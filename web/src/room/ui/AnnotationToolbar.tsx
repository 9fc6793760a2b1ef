// The drawing tools above a page, for those who may annotate it: tools, colours, widths,
// undo/redo and clear page. Reads and changes the Annotator; draws nothing itself.
import { useStore } from '../../lib/useStore';
import type { Annotator, OpenPage } from '../annotate/annotator';
import { inkColors, inkWidths, toolLabels } from '../annotate/tools';

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
            className="btn btn-small"
            aria-pressed={settings.tool === tool}
            onClick={() => annotator.setTools({ tool })}
          >
            {label}
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
            className="btn btn-small"
            aria-pressed={settings.width === width}
            onClick={() => annotator.setTools({ width })}
          >
            {label}
          </button>
        ))}
      </div>
      <div className="ink-group">
        <button type="button" className="btn btn-small" disabled={!page.canUndo} onClick={() => ink.undo()}>
          Undo
        </button>
        <button type="button" className="btn btn-small" disabled={!page.canRedo} onClick={() => ink.redo()}>
          Redo
        </button>
        <button
          type="button"
          className="btn btn-small"
          disabled={page.strokes.length === 0}
          onClick={() => ink.clear()}
        >
          Clear page
        </button>
      </div>
    </div>
  );
}
