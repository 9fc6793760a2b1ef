// The people panel's content: the lobby (presenters only) and the participant list, grouped into
// presenters and attendees. The list is virtualised so 250 people stay smooth: only
// the rows in view (plus a few) are in the DOM.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import type { ClientMsg } from '../../proto/ClientMsg';
import type { Participant } from '../../proto/Participant';
import { ConfirmDialog } from '../../components/Dialog';
import type { Rights } from '../rights';
import { rosterGroups, type RoomState } from '../roomState';
import { LobbyPanel } from './LobbyPanel';
import { RosterRow } from './RosterRow';

type Props = {
  room: RoomState;
  rights: Rights;
  send: (msg: ClientMsg) => number | undefined;
};

type Row =
  { kind: 'header'; key: string; label: string; count: number } | { kind: 'person'; key: string; person: Participant };

const headerHeight = 34;
const rowHeight = 52;

export function Roster({ room, rights, send }: Props) {
  const isPresenter = rights.presenter;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [barTarget, setBarTarget] = useState<Participant | null>(null);

  const rows = useMemo<Row[]>(() => {
    const { presenters, attendees } = rosterGroups(room.participants);
    const out: Row[] = [];
    out.push({ kind: 'header', key: 'h-presenters', label: 'Presenters', count: presenters.length });
    for (const p of presenters) out.push({ kind: 'person', key: p.id, person: p });
    if (attendees.length > 0) {
      out.push({ kind: 'header', key: 'h-attendees', label: 'Attendees', count: attendees.length });
      for (const p of attendees) out.push({ kind: 'person', key: p.id, person: p });
    }
    return out;
  }, [room.participants]);

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render on purpose
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (rows[i]?.kind === 'header' ? headerHeight : rowHeight),
    getItemKey: (i) => rows[i]?.key ?? i,
    overscan: 10,
  });

  const hiddenAttendees = !rights.seeAttendees;

  return (
    <div className="panel-body roster">
      {isPresenter && room.lobby.length > 0 && <LobbyPanel lobby={room.lobby} send={send} />}
      <div ref={scrollRef} className="roster-scroll">
        <ul className="roster-list" aria-label="Participants" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            if (row.kind === 'header') {
              return (
                <li
                  key={row.key}
                  className="roster-group"
                  style={{ transform: `translateY(${item.start}px)`, height: item.size }}
                  aria-setsize={rows.length}
                  aria-posinset={item.index + 1}
                >
                  <h3>
                    {row.label} <span className="muted">({row.count})</span>
                  </h3>
                </li>
              );
            }
            return (
              <RosterRow
                key={row.key}
                person={row.person}
                isYou={row.person.id === room.you.id}
                canManage={isPresenter && row.person.id !== room.you.id && row.person.role !== 'organizer'}
                send={send}
                onBar={setBarTarget}
                top={item.start}
                height={item.size}
                setSize={rows.length}
                position={item.index + 1}
              />
            );
          })}
        </ul>
        {hiddenAttendees && <p className="roster-note muted">The presenters have hidden the attendee list.</p>}
      </div>
      <ConfirmDialog
        open={barTarget !== null}
        title={`Remove and bar ${barTarget?.name ?? ''}?`}
        message="They are removed now and their link will not let them back into this meeting."
        confirmLabel="Remove and bar"
        danger
        onConfirm={() => {
          if (barTarget) send({ type: 'remove_participant', participant: barTarget.id, bar: true });
          setBarTarget(null);
        }}
        onClose={() => setBarTarget(null)}
      />
    </div>
  );
}
