// The chat panel's content: the message log (an aria-live log), and the composer with a
// recipient choice (everyone / presenters / one person), a character counter against
// the server's limit, and an explanation when you may not chat.
import { useLayoutEffect, useMemo, useRef, useState, type SubmitEvent, type KeyboardEvent } from 'react';
import type { ChatMessage } from '../../proto/ChatMessage';
import type { ChatTo } from '../../proto/ChatTo';
import type { ClientMsg } from '../../proto/ClientMsg';
import { Icon } from '../../components/Icon';
import { formatClock } from '../../lib/format';
import { audienceOf, chatBlockedReason, chatLength, isPresenterRole, type RoomState } from '../roomState';

type Props = {
  room: RoomState;
  send: (msg: ClientMsg, onRejected?: () => void) => number | undefined;
  hidden: boolean;
};

/** How many messages are rendered; older ones stay in memory and in the export. */
const renderLimit = 300;

function encodeTo(to: ChatTo): string {
  return to.kind === 'participant' ? `p:${to.id}` : to.kind;
}

function decodeTo(value: string): ChatTo {
  if (value === 'presenters') return { kind: 'presenters' };
  if (value.startsWith('p:')) return { kind: 'participant', id: value.slice(2) };
  return { kind: 'everyone' };
}

export function ChatPanel({ room, send, hidden }: Props) {
  const [text, setText] = useState('');
  const [toValue, setToValue] = useState('everyone');
  const logRef = useRef<HTMLOListElement>(null);
  const stickToBottom = useRef(true);

  const blocked = chatBlockedReason(room);
  const youId = room.you.id;
  const others = useMemo(
    () => [...room.participants.values()].filter((p) => p.id !== youId).sort((a, b) => a.name.localeCompare(b.name)),
    [room.participants, youId],
  );

  // A private recipient who left falls back to everyone (shown, not silently kept).
  const to = decodeTo(toValue);
  const recipientGone = to.kind === 'participant' && !room.participants.has(to.id);
  const effectiveTo: ChatTo = recipientGone ? { kind: 'everyone' } : to;

  const length = chatLength(text);
  const over = length - room.maxChatChars;
  const empty = text.trim() === '';
  const messages = room.chat.length > renderLimit ? room.chat.slice(-renderLimit) : room.chat;
  const lastId = messages[messages.length - 1]?.id;
  const lastFromYou = messages[messages.length - 1]?.from === youId;

  // Follow new messages when the reader is at the bottom, or when they sent it.
  useLayoutEffect(() => {
    const log = logRef.current;
    if (!log || hidden) return;
    if (stickToBottom.current || lastFromYou) log.scrollTop = log.scrollHeight;
  }, [lastId, lastFromYou, hidden]);

  const submit = () => {
    if (blocked || empty || over > 0) return;
    const sent = text;
    // If the server refuses it (rate limit, too long…), give the text back unless a new one was started.
    const ref = send({ type: 'send_chat', to: effectiveTo, text: text.trim() }, () => {
      setText((current) => (current === '' ? sent : current));
    });
    if (ref !== undefined) {
      setText('');
      stickToBottom.current = true;
    }
  };

  const onSubmit = (e: SubmitEvent) => {
    e.preventDefault();
    submit();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  return (
    <div className="panel-body chat">
      {messages.length === 0 && (
        <div className="chat-empty">
          <Icon name="chat" size={28} />
          <p>No messages yet.</p>
          {!blocked && <p className="muted small">Messages to everyone are seen by all participants.</p>}
        </div>
      )}
      <ol
        ref={logRef}
        className="chat-log"
        role="log"
        aria-label="Chat messages"
        aria-live="polite"
        tabIndex={0}
        hidden={messages.length === 0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
        }}
      >
        {messages.map((m, i) => (
          <ChatLine key={m.id} message={m} youId={youId} continued={continues(messages[i - 1], m)} />
        ))}
      </ol>
      <form className="chat-compose" onSubmit={onSubmit}>
        {blocked ? (
          <p className="chat-blocked" id="chat-blocked">
            <Icon name="info" size={16} />
            {blocked}
          </p>
        ) : null}
        <div className="chat-to">
          <label htmlFor="chat-to">To</label>
          <select
            id="chat-to"
            value={recipientGone ? 'everyone' : toValue}
            onChange={(e) => setToValue(e.target.value)}
            disabled={blocked !== undefined}
          >
            <option value="everyone">Everyone</option>
            <option value="presenters">Presenters{isPresenterRole(room.you.role) ? '' : ' only'}</option>
            {others.length > 0 && (
              <optgroup label="Privately to">
                {others.map((p) => (
                  <option key={p.id} value={encodeTo({ kind: 'participant', id: p.id })}>
                    {p.name}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        </div>
        <label htmlFor="chat-text" className="visually-hidden">
          Message
        </label>
        <textarea
          id="chat-text"
          className={over > 0 ? 'chat-input chat-input-over' : 'chat-input'}
          rows={2}
          placeholder={blocked ? 'Chat is not available' : 'Write a message…'}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          disabled={blocked !== undefined}
          aria-describedby={blocked ? 'chat-blocked chat-count' : 'chat-count'}
          aria-invalid={over > 0 || undefined}
        />
        <div className="chat-compose-foot">
          <span id="chat-count" className={over > 0 ? 'chat-count chat-count-over' : 'chat-count'}>
            {over > 0 ? `${over} characters too many` : `${length} / ${room.maxChatChars}`}
          </span>
          <button
            type="submit"
            className="btn btn-primary btn-sm"
            disabled={blocked !== undefined || empty || over > 0}
          >
            Send
          </button>
        </div>
      </form>
    </div>
  );
}

/** Consecutive messages from one sender to one audience within two minutes share a header. */
function continues(prev: ChatMessage | undefined, m: ChatMessage): boolean {
  if (prev?.from !== m.from || encodeTo(prev.to) !== encodeTo(m.to)) return false;
  return Date.parse(m.sent_at) - Date.parse(prev.sent_at) < 120_000;
}

function ChatLine({ message: m, youId, continued }: { message: ChatMessage; youId: string; continued: boolean }) {
  const audience = audienceOf(m, youId);
  const mine = m.from === youId;
  const classes = [
    'chat-line',
    mine ? 'chat-line-mine' : '',
    audience.kind !== 'everyone' ? 'chat-line-restricted' : '',
    continued ? 'chat-line-cont' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <li className={classes}>
      <div className={continued ? 'chat-meta visually-hidden' : 'chat-meta'}>
        <span className="chat-from">{mine ? 'You' : m.from_name}</span>
        {audience.kind === 'presenters' && <span className="chat-tag">to presenters</span>}
        {audience.kind === 'private_to' && (
          <span className="chat-tag chat-tag-private">privately to {audience.name}</span>
        )}
        {audience.kind === 'private_from' && <span className="chat-tag chat-tag-private">privately to you</span>}
        <time className="chat-time" dateTime={m.sent_at}>
          {formatClock(m.sent_at)}
        </time>
      </div>
      <p className="chat-text">{m.text}</p>
    </li>
  );
}
