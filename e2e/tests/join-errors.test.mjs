// What someone sees on the join page when they cannot get in: a wrong passcode, or a
// link that leads nowhere.
import { expectAttribute, expectCount, expectPath, expectText, expectVisible } from '../lib/expect.mjs';
import { e2e } from '../lib/harness.mjs';
import { linkPath } from '../lib/server.mjs';
import { expectInRoom, joinAsGuest } from '../lib/ui.mjs';

const env = e2e(import.meta.url);

const title = 'Board meeting';
let attendeeLink;

env.setup(async () => {
  const admin = await env.server.signIn();
  const meeting = await admin.createMeeting({
    title,
    passcode: '4711',
    lobby: false,
    wait_for_presenter: false,
  });
  attendeeLink = linkPath(meeting.attendee_link);
});

env.test('a wrong passcode is refused with a message and the guest stays on the join page', async () => {
  const gwen = await env.person('Gwen');
  const { page } = gwen;
  await joinAsGuest(gwen, attendeeLink, 'Gwen Guest', { passcode: '1234' });

  const passcode = page.getByLabel('Passcode');
  await expectAttribute(passcode, 'aria-invalid', 'true');
  const errorId = await passcode.getAttribute('aria-describedby');
  await expectText(page.locator(`[id="${errorId}"]`), 'Wrong passcode');
  await expectVisible(page.getByText('Wrong passcode'));
  await expectPath(page, attendeeLink);
  await expectVisible(page.getByRole('heading', { name: title, level: 1 }));
  await expectVisible(page.getByRole('button', { name: 'Join meeting' }));

  // Typing the right one lets her in.
  await passcode.fill('4711');
  await page.getByRole('button', { name: 'Join meeting' }).click();
  await expectInRoom(page, title);
});

env.test('an unknown join link says it is not valid and offers no way to join', async () => {
  const gary = await env.person('Gary');
  const { page } = gary;
  await page.goto('/j/nonexistent');

  await expectVisible(page.getByRole('heading', { name: /^This link is not valid/, level: 1 }));
  await expectVisible(page.getByText(/The link may be mistyped.*Ask them for the current link/));
  await expectCount(page.getByRole('button', { name: 'Join meeting' }), 0);
  await expectCount(page.getByLabel('Your name'), 0);
  await expectPath(page, '/j/nonexistent');
});
