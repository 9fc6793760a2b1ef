// A page on the stage with its annotation layer: the page (image, blank whiteboard or
// text) in a frame of the page's aspect ratio fitted to the space, and a canvas of exactly
// the same box on top, so ink in page fractions lines up at any window size.
import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { useStore } from '../../lib/useStore';
import type { OpenPage } from '../annotate/annotator';
import { fitPage, type Size } from '../annotate/geometry';
import { InkCanvas } from '../annotate/render';

type Props = {
  /** The page's connection, once open (the page shows without ink until then). */
  open: OpenPage | undefined;
  /** The page's size in its own pixels (only the aspect ratio matters). */
  size: Size;
  /** Whether pointer input goes to the ink tools (off: it reaches the page, e.g. to type). */
  drawing: boolean;
  /** The accessible name of the ink canvas. */
  inkLabel: string;
  children: (box: Size) => ReactNode;
};

export function AnnotatedPage({ open, size, drawing, inkLabel, children }: Props) {
  const outer = useRef<HTMLDivElement>(null);
  const space = useContentSize(outer);
  const box = fitPage(size, space);
  return (
    <div className="stage-page" ref={outer}>
      <div className="page-frame" style={{ width: box.width, height: box.height }}>
        {box.width > 0 && children(box)}
        {open && <InkLayer open={open} box={box} drawing={drawing} label={inkLabel} />}
      </div>
    </div>
  );
}

/** The content-box size of an element, kept current by a ResizeObserver. */
function useContentSize(ref: RefObject<HTMLElement | null>): Size {
  const [size, setSize] = useState<Size>({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => {
      const box = entry?.contentBoxSize[0];
      if (box) setSize({ width: Math.floor(box.inlineSize), height: Math.floor(box.blockSize) });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
    };
  }, [ref]);
  return size;
}

function InkLayer({ open, box, drawing, label }: { open: OpenPage; box: Size; drawing: boolean; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const prompt = useStore(open.pointer.textPrompt);
  // Re-rendered on status changes, so a refusal (4403) takes the tools away at once.
  useStore(open.connection.store);
  const active = drawing && open.connection.writable;

  // Keyed on the numbers: the parent re-renders on every room event, and resizing a canvas
  // clears it.
  const { width, height } = box;
  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const painter = new InkCanvas(el);
    painter.resize({ width, height }, window.devicePixelRatio || 1);
    const paint = () => {
      const { strokes, lasers } = open.connection.store.get();
      painter.show({ strokes, lasers, draft: open.pointer.draft.get() });
    };
    paint();
    const unsubscribe = [open.connection.store.subscribe(paint), open.pointer.draft.subscribe(paint)];
    return () => {
      for (const u of unsubscribe) u();
      painter.dispose();
    };
  }, [open, width, height]);

  useEffect(() => {
    const el = canvas.current;
    if (!el || !active) return;
    return open.pointer.attach(el);
  }, [open, active]);

  return (
    <>
      <canvas ref={canvas} className={`ink-layer${active ? ' ink-active' : ''}`} role="img" aria-label={label} />
      {prompt && (
        <TextPrompt
          key={`${prompt.at.x},${prompt.at.y}`}
          left={prompt.at.x * box.width}
          top={prompt.at.y * box.height}
          onDone={(text) => open.pointer.commitText(text)}
          onCancel={() => open.pointer.cancelText()}
        />
      )}
    </>
  );
}

/** Where the text tool was clicked: type, then Enter adds the text (Escape cancels). */
function TextPrompt(props: { left: number; top: number; onDone: (text: string) => void; onCancel: () => void }) {
  const [text, setText] = useState('');
  return (
    <input
      type="text"
      className="ink-text-input"
      style={{ left: props.left, top: props.top }}
      aria-label="Text to add"
      autoFocus
      value={text}
      onChange={(e) => setText(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') props.onDone(text);
        if (e.key === 'Escape') props.onCancel();
      }}
      onBlur={() => props.onDone(text)}
    />
  );
}
