// Connections that break: one person's network drops and comes back, and the whole
// server restarts. Either way people get back into the room without losing or
// repeating a chat message.
import assert from 'node:assert/strict';
import { expectCount, expectHidden, expectVisible } from '../lib/expect.mjs';
import { e2e } from '../lib/harness.mjs';
import { linkPath } from '../lib/server.mjs';
import {
  chatMessages,
  expectInRoom,
  joinAsGuest,
  joinFromHome,
  reconnectingBanner,
  rosterRow,
  sendChat,
} from '../lib/ui.mjs';

// A fixed port: after a restart the server must be at the same origin as before.
const env = e2e(import.meta.url, { fixedPort: true });

const organizer = { email: 'olivia@example.test', name: 'Olivia Organizer', password: 'correct horse battery' };

/** Chromium's messages while the room channel cannot connect (expected during these tests). */
const socketFailure = /^WebSocket connection to 'ws:\/\/[^']+\/api\/v1\/room' failed/;

env.setup(async () => {
  const admin = await env.server.signIn();
  await admin.createUser({ ...organizer, role: 'organizer' });
});

/** A meeting without a lobby (who gets in is not the point here), with Olivia in its room. */
async function meetingWithOrganizer(title) {
  const session = await env.server.signIn(organizer.email, organizer.password);
  const meeting = await session.createMeeting({ title, lobby: false, wait_for_presenter: false });
  const olivia = await env.person('Olivia', { session });
  await joinFromHome(olivia, title);
  return { meeting, olivia };
}

env.test('a guest whose connection drops gets the message sent meanwhile exactly once', async () => {
  env.allowConsoleErrors(socketFailure);
  const title = 'Weekly sync';
  const { meeting, olivia } = await meetingWithOrganizer(title);
  const gary = await env.person('Gary', { cuttable: true });
  await joinAsGuest(gary, linkPath(meeting.attendee_link), 'Gary Guest');
  await expectInRoom(gary.page, title);

  await sendChat(olivia.page, 'Before the drop');
  await expectCount(chatMessages(gary.page, 'Before the drop'), 1);

  gary.network.cut();
  await expectVisible(reconnectingBanner(gary.page));
  // The server has noticed too: Olivia sees Gary as disconnected.
  await expectVisible(rosterRow(olivia.page, 'Gary Guest').getByTitle('Connection lost; may come back'));

  await sendChat(olivia.page, 'Sent while Gary was away');
  await expectCount(chatMessages(olivia.page, 'Sent while Gary was away'), 1);
  assert.equal(await chatMessages(gary.page, 'Sent while Gary was away').count(), 0);

  gary.network.restore();
  await expectHidden(reconnectingBanner(gary.page), { timeout: 15_000 });
  await expectCount(chatMessages(gary.page, 'Sent while Gary was away'), 1);
  await expectHidden(rosterRow(olivia.page, 'Gary Guest').getByTitle('Connection lost; may come back'));

  // Once a later message has arrived, nothing else is still on its way: no duplicates.
  await sendChat(olivia.page, 'After the return');
  await expectCount(chatMessages(gary.page, 'After the return'), 1);
  await expectCount(chatMessages(gary.page, 'Before the drop'), 1);
  await expectCount(chatMessages(gary.page, 'Sent while Gary was away'), 1);
  await expectCount(chatMessages(gary.page), 3);
});

env.test('after a server restart the organizer is back in the room with the chat history', async () => {
  env.allowConsoleErrors(socketFailure);
  const title = 'Release planning';
  const { meeting, olivia } = await meetingWithOrganizer(title);
  const gwen = await env.person('Gwen');
  await joinAsGuest(gwen, linkPath(meeting.attendee_link), 'Gwen Guest');
  await expectInRoom(gwen.page, title);
  await sendChat(olivia.page, 'Agenda: three items');
  await sendChat(gwen.page, 'Thanks, Olivia');
  for (const p of [olivia, gwen]) await expectCount(chatMessages(p.page), 2);

  await env.server.terminate();
  for (const p of [olivia, gwen]) await expectVisible(reconnectingBanner(p.page));

  await env.server.start();
  await expectHidden(reconnectingBanner(olivia.page), { timeout: 15_000 });
  await expectInRoom(olivia.page, title);
  await expectCount(chatMessages(olivia.page, 'Agenda: three items'), 1);
  await expectCount(chatMessages(olivia.page, 'Thanks, Olivia'), 1);
  await expectCount(chatMessages(olivia.page), 2);
  await expectVisible(rosterRow(olivia.page, 'Olivia Organizer'));

  // The room works again: a new message reaches the guest, who is back too.
  await expectHidden(reconnectingBanner(gwen.page), { timeout: 15_000 });
  await sendChat(olivia.page, 'We are back');
  await expectCount(chatMessages(gwen.page, 'We are back'), 1);
  await expectCount(chatMessages(gwen.page), 3);
});
