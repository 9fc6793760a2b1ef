// A text page: rich text (headings, lists, bold/italic, links) in the page document's
// "text" fragment, through TipTap's Collaboration extension, so everyone sees it as it is
// typed. Presenters edit; everyone else reads. The page is laid out at its own size
// (1600 × 900) and scaled to the frame, so line breaks, and the ink drawn over them, fall
// in the same places on every screen.
import Collaboration from '@tiptap/extension-collaboration';
import { EditorContent, useEditor, useEditorState, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { useEffect, useState } from 'react';
import type * as Y from 'yjs';
import type { Size } from '../annotate/geometry';

/** The root XmlFragment holding a text page's rich text (the PDF export reads it too). */
export const textField = 'text';
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
  const button = (label: string, pressed: boolean, run: () => void) => (
    <button type="button" className="btn btn-small" aria-pressed={pressed} onClick={run}>
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
