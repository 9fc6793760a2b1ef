// A meeting told as one story over several tests: the organizer opens the room, two
// guests come in through the lobby, everyone chats (publicly and privately), and a
// guest is made presenter and locks the meeting. The three people stay connected from
// one test to the next.
import { expectAttribute, expectCount, expectHidden, expectText, expectVisible } from '../lib/expect.mjs';
import { e2e } from '../lib/harness.mjs';
import { linkPath } from '../lib/server.mjs';
import { chatMessages, expectInRoom, joinAsGuest, joinFromHome, lobbyRow, rosterRow, sendChat } from '../lib/ui.mjs';

const env = e2e(import.meta.url);

const title = 'Design review';
const organizer = { email: 'olivia@example.test', name: 'Olivia Organizer', password: 'correct horse battery' };
let attendeeLink;
let olivia;
let gwen;
let gary;

env.setup(async () => {
  const admin = await env.server.signIn();
  await admin.createUser({ ...organizer, role: 'organizer' });
  const session = await env.server.signIn(organizer.email, organizer.password);
  const meeting = await session.createMeeting({ title, lobby: true, wait_for_presenter: true });
  attendeeLink = linkPath(meeting.attendee_link);
  olivia = await env.person('Olivia', { session });
  gwen = await env.person('Gwen');
  gary = await env.person('Gary');
});

env.test('guests wait in the lobby until the organizer in the room admits them', async () => {
  await joinFromHome(olivia, title);
  await expectVisible(rosterRow(olivia.page, 'Olivia Organizer').getByText('Organizer', { exact: true }));

  await joinAsGuest(gwen, attendeeLink, 'Gwen Guest');
  await expectVisible(gwen.page.getByRole('heading', { name: 'Waiting to be let in' }));
  await expectVisible(gwen.page.getByText(title));

  await expectVisible(lobbyRow(olivia.page, 'Gwen Guest'));
  await expectVisible(
    olivia.page.getByRole('region', { name: 'Notifications' }).getByText('Gwen Guest is waiting in the lobby'),
  );
  await olivia.page.getByRole('button', { name: 'Admit Gwen Guest' }).click();

  await expectInRoom(gwen.page, title);
  await expectVisible(rosterRow(gwen.page, 'Olivia Organizer').getByText('Organizer', { exact: true }));
  await expectVisible(rosterRow(olivia.page, 'Gwen Guest').getByText('Attendee', { exact: true }));
  await expectHidden(lobbyRow(olivia.page, 'Gwen Guest'));

  // The second guest is let in with "Admit all".
  await joinAsGuest(gary, attendeeLink, 'Gary Guest');
  await expectVisible(gary.page.getByRole('heading', { name: 'Waiting to be let in' }));
  await expectVisible(lobbyRow(olivia.page, 'Gary Guest'));
  await olivia.page.getByRole('button', { name: 'Admit all' }).click();
  await expectInRoom(gary.page, title);
  await expectVisible(rosterRow(olivia.page, 'Gary Guest'));
  await expectVisible(olivia.page.getByRole('banner').getByLabel('3 participants'));
});

env.test('chat messages to everyone reach everyone, from the organizer and from a guest', async () => {
  await sendChat(olivia.page, 'Welcome, everyone!');
  for (const p of [olivia, gwen, gary]) await expectCount(chatMessages(p.page, 'Welcome, everyone!'), 1);
  await expectText(chatMessages(gwen.page, 'Welcome, everyone!'), 'Olivia Organizer');
  await expectText(chatMessages(olivia.page, 'Welcome, everyone!'), 'You');

  await sendChat(gary.page, 'Hello from Gary');
  for (const p of [olivia, gwen, gary]) await expectCount(chatMessages(p.page, 'Hello from Gary'), 1);
  await expectText(chatMessages(olivia.page, 'Hello from Gary'), 'Gary Guest');
});

env.test('a private message reaches only its recipient', async () => {
  await sendChat(olivia.page, 'Gwen, can you present next?', { to: 'Gwen Guest' });
  await expectVisible(chatMessages(gwen.page, 'Gwen, can you present next?'));
  await expectText(chatMessages(gwen.page, 'Gwen, can you present next?'), 'privately to you');
  await expectText(chatMessages(olivia.page, 'Gwen, can you present next?'), 'privately to Gwen Guest');

  // A public message sent afterwards has reached Gary, so the private one would have too.
  await sendChat(olivia.page, 'Next item: the budget', { to: 'Everyone' });
  await expectVisible(chatMessages(gary.page, 'Next item: the budget'));
  await expectCount(chatMessages(gary.page, 'Gwen, can you present next?'), 0);
  await expectCount(chatMessages(gary.page), 3);
  await expectCount(chatMessages(gwen.page), 4);
});

env.test('an attendee made presenter by the organizer can lock the meeting', async () => {
  // As an attendee, Gwen has no meeting settings and cannot manage anyone.
  await expectCount(gwen.page.getByRole('group', { name: 'Meeting settings' }), 0);
  await expectCount(gwen.page.getByRole('button', { name: 'Lock meeting' }), 0);
  await expectCount(gwen.page.getByRole('button', { name: /^Actions for / }), 0);

  await olivia.page.getByRole('button', { name: 'Actions for Gwen Guest' }).click();
  await olivia.page.getByRole('menuitem', { name: 'Make presenter' }).click();

  await expectVisible(rosterRow(olivia.page, 'Gwen Guest').getByText('Presenter', { exact: true }));
  await expectVisible(rosterRow(gwen.page, 'Gwen Guest').getByText('Presenter', { exact: true }));
  const lock = gwen.page.getByRole('group', { name: 'Meeting settings' }).getByRole('button', { name: 'Lock meeting' });
  await expectAttribute(lock, 'aria-pressed', 'false');
  await lock.click();

  await expectAttribute(lock, 'aria-pressed', 'true');
  for (const p of [olivia, gwen, gary]) {
    await expectText(p.page.getByRole('banner').getByTitle('Nobody new can join'), 'Locked');
  }
  await expectAttribute(olivia.page.getByRole('button', { name: 'Lock meeting' }), 'aria-pressed', 'true');
  // Gary is still an attendee: no settings for him.
  await expectCount(gary.page.getByRole('button', { name: 'Lock meeting' }), 0);
});
