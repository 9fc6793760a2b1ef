// A text page: rich text (headings, lists, bold/italic, links) in the "text" fragment of
// the page's own rich-text document, through TipTap's Collaboration extension, so everyone
// sees it as it is typed. Presenters type (or switch to drawing on it); everyone else reads,
// and draws on the ink layer above it if allowed. Loaded lazily: TipTap is heavy. The page is laid out at its own size
// (1600 × 900) and scaled to the frame, so line breaks, and the ink drawn over them, fall
// in the same places on every screen.
import Collaboration from '@tiptap/extension-collaboration';
import { EditorContent, useEditor, useEditorState, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { useEffect, useState, type ReactNode } from 'react';
import type * as Y from 'yjs';
import { useStore } from '../../lib/useStore';
import { TEXT_ROOT } from '../../proto/contracts';
import type { OpenPage } from '../annotate/annotator';
import type { Size } from '../annotate/geometry';
import type { SharedDoc } from '../annotate/sharedDoc';
import { AnnotatedPage } from './AnnotatedPage';

/** The root XmlFragment holding a text page's rich text (the PDF export reads it too). */
export const textField = TEXT_ROOT;
/** The width text pages are laid out at, in CSS pixels before scaling. */
const layoutWidth = 1600;

export function useTextEditor(doc: Y.Doc, editable: boolean): Editor {
  const editor = useEditor(
    {
      extensions: [
        // Collaboration brings its own undo (of one's own edits); ProseMirror's would fight it.
        StarterKit.configure({ undoRedo: false, link: { openOnClick: false, defaultProtocol: 'https' } }),
        Collaboration.configure({ document: doc, field: textField }),
      ],
      editable,
      // The CSP forbids inline <style>; the editor's few rules are in room.css.
      injectCSS: false,
      editorProps: { attributes: { class: 'text-page-content', 'aria-label': 'Text page' } },
    },
    [doc],
  );
  useEffect(() => {
    editor.setEditable(editable);
  }, [editor, editable]);
  return editor;
}

export function TextPageView({ editor, box }: { editor: Editor; box: Size }) {
  return (
    <div className="text-page" style={{ transform: `scale(${box.width / layoutWidth})` }}>
      <EditorContent editor={editor} />
    </div>
  );
}

/** Formatting buttons for whoever edits the text page. */
export function TextFormatBar({ editor }: { editor: Editor }) {
  const active = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      h1: e.isActive('heading', { level: 1 }),
      h2: e.isActive('heading', { level: 2 }),
      bullets: e.isActive('bulletList'),
      numbers: e.isActive('orderedList'),
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      link: e.isActive('link'),
    }),
  });
  const [linking, setLinking] = useState(false);
  const chain = () => editor.chain().focus();
  // Pressing a formatting button must not take the caret out of the text: without
  // preventDefault on mousedown, the keys typed right after a click go to the button until
  // the editor takes focus back.
  const button = (label: string, pressed: boolean, run: () => void) => (
    <button
      type="button"
      className="btn btn-small"
      aria-pressed={pressed}
      onMouseDown={(e) => e.preventDefault()}
      onClick={run}
    >
      {label}
    </button>
  );
  return (
    <div className="ink-toolbar" role="toolbar" aria-label="Text formatting">
      <div className="ink-group">
        {button('Heading', active.h1, () => chain().toggleHeading({ level: 1 }).run())}
        {button('Subheading', active.h2, () => chain().toggleHeading({ level: 2 }).run())}
        {button('Bulleted list', active.bullets, () => chain().toggleBulletList().run())}
        {button('Numbered list', active.numbers, () => chain().toggleOrderedList().run())}
        {button('Bold', active.bold, () => chain().toggleBold().run())}
        {button('Italic', active.italic, () => chain().toggleItalic().run())}
        {button('Link', active.link, () => {
          if (active.link) chain().unsetLink().run();
          else setLinking(true);
        })}
      </div>
      {linking && (
        <form
          className="ink-group"
          onSubmit={(e) => {
            e.preventDefault();
            const href = new FormData(e.currentTarget).get('href');
            if (typeof href === 'string' && href.trim()) chain().setLink({ href: href.trim() }).run();
            setLinking(false);
          }}
        >
          <input name="href" type="url" aria-label="Link address" placeholder="https://…" autoFocus />
          <button type="submit" className="btn btn-small">
            Add link
          </button>
        </form>
      )}
    </div>
  );
}

/** A text page: presenters switch between typing and drawing; everyone else reads (and may draw). */
export function TextSurface(props: {
  lead: ReactNode;
  open: OpenPage;
  text: SharedDoc;
  size: { width: number; height: number };
  inkLabel: string;
  tools: ReactNode;
}) {
  const { open, text, size, inkLabel, tools } = props;
  const [mode, setMode] = useState<'type' | 'draw'>('type');
  useStore(text.store); // a refusal (4403) ends typing at once
  const mayType = text.writable;
  const typing = mayType && mode === 'type';
  const editor = useTextEditor(text.doc, typing);
  return (
    <>
      <div className="stage-bar">
        {props.lead}
        {mayType && (
          <div className="ink-group" role="group" aria-label="Text page mode">
            <button
              type="button"
              className="btn btn-small"
              aria-pressed={mode === 'type'}
              onClick={() => setMode('type')}
            >
              Type
            </button>
            <button
              type="button"
              className="btn btn-small"
              aria-pressed={mode === 'draw'}
              onClick={() => setMode('draw')}
            >
              Draw
            </button>
          </div>
        )}
        {typing ? <TextFormatBar editor={editor} /> : tools}
      </div>
      <AnnotatedPage open={open} size={size} drawing={!typing} inkLabel={inkLabel}>
        {(box) => <TextPageView editor={editor} box={box} />}
      </AnnotatedPage>
    </>
  );
}
