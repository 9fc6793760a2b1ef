// An organizer signs in, schedules a meeting through the form, finds it on the home
// page, downloads its calendar invitation, edits it, and gets an updated invitation.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { expectAttribute, expectPath, expectText, expectVisible } from '../lib/expect.mjs';
import { e2e } from '../lib/harness.mjs';
import { meetingCard } from '../lib/ui.mjs';

const env = e2e(import.meta.url);

const organizer = { email: 'olivia@example.test', name: 'Olivia Organizer', password: 'correct horse battery' };
const year = new Date().getUTCFullYear() + 1;
const title = 'Quarterly planning';
const newTitle = 'Quarterly planning (moved agenda)';

/** The first invitation, kept for comparison with the one after the edit. */
let firstIcs;

env.setup(async () => {
  const admin = await env.server.signIn();
  await admin.createUser({ ...organizer, role: 'organizer' });
});

/** Clicks a download link and returns the downloaded file's text. */
async function download(page, link) {
  const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.match(file.suggestedFilename(), /\.ics$/);
  return readFile(await file.path(), 'utf8');
}

/** One iCalendar property's value, after unfolding continuation lines (RFC 5545 §3.1). */
function icsValue(ics, name) {
  const unfolded = ics.replace(/\r?\n[ \t]/g, '');
  const line = unfolded.split(/\r?\n/).find((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`));
  assert.ok(line, `the invitation has a ${name} line:\n${ics}`);
  return line.slice(line.indexOf(':') + 1);
}

/** Olivia in a fresh browser, already signed in (for the tests after the sign-in one). */
async function signedInOlivia() {
  return env.person('Olivia', { session: await env.server.signIn(organizer.email, organizer.password) });
}

env.test('an organizer signs in through the sign-in page and sees their meetings', async () => {
  const olivia = await env.person('Olivia');
  const { page } = olivia;
  await page.goto('/login');
  await page.getByLabel('Email').fill(organizer.email);
  await page.getByLabel('Password').fill(organizer.password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expectVisible(page.getByRole('heading', { name: 'Meetings', level: 1 }));
  await expectVisible(page.getByText('Welcome back, Olivia.'));
  await expectVisible(page.getByRole('heading', { name: 'No upcoming meetings' }));
});

env.test(
  'a meeting scheduled through the form appears on the home page and its invitation downloads as an iCalendar request',
  async () => {
    const olivia = await signedInOlivia();
    const { page } = olivia;
    await page.goto('/');
    await page.getByRole('link', { name: 'Schedule meeting' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Schedule a meeting', level: 1 }));

    const form = page.getByRole('form', { name: 'Schedule a meeting' });
    await form.getByLabel('Title').fill(title);
    await form.getByLabel('Starts').fill(`${year}-03-14T10:00`);
    await form.getByLabel('Ends').fill(`${year}-03-14T11:30`);
    await form.getByLabel('Time zone').fill('Europe/Berlin');
    await form.getByRole('checkbox', { name: 'Lobby' }).check();
    await form.getByRole('button', { name: 'Schedule meeting' }).click();

    // The saved meeting's own page, then the home page lists it.
    await expectVisible(page.getByRole('heading', { name: title, level: 1 }));
    await expectPath(page, /^\/meetings\/[^/]+$/);
    await expectText(page.getByRole('definition').filter({ hasText: 'presenters admit' }), 'On');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Meetings' }).click();

    const card = meetingCard(page, title);
    await expectVisible(card);
    await expectText(card, '(Europe/Berlin)');
    await expectVisible(card.getByRole('list', { name: 'Status' }).getByText('Lobby', { exact: true }));

    firstIcs = await download(page, card.getByRole('link', { name: 'Download invite (.ics)' }));
    assert.match(firstIcs, /^BEGIN:VCALENDAR\r?$/m);
    assert.equal(icsValue(firstIcs, 'METHOD'), 'REQUEST');
    assert.equal(icsValue(firstIcs, 'SUMMARY'), title);
    assert.match(icsValue(firstIcs, 'UID'), /\S/);
    assert.equal(icsValue(firstIcs, 'SEQUENCE'), '0');
    assert.match(firstIcs, new RegExp(`^DTSTART;TZID=Europe/Berlin:${year}0314T100000\\r?$`, 'm'));
    assert.match(firstIcs, new RegExp(`^DTEND;TZID=Europe/Berlin:${year}0314T113000\\r?$`, 'm'));
  },
);

env.test('editing the title gives an invitation with the same UID and the next SEQUENCE', async () => {
  assert.ok(firstIcs, 'needs the invitation from the previous test');
  const olivia = await signedInOlivia();
  const { page } = olivia;
  await page.goto('/');
  await meetingCard(page, title).getByRole('link', { name: 'Edit' }).click();

  const form = page.getByRole('form', { name: 'Edit meeting' });
  await expectAttribute(form.getByLabel('Title'), 'value', title);
  await form.getByLabel('Title').fill(newTitle);
  await form.getByRole('button', { name: 'Save changes' }).click();

  await expectVisible(page.getByRole('heading', { name: newTitle, level: 1 }));
  const ics = await download(page, page.getByRole('link', { name: 'Download invite (.ics)' }));
  assert.equal(icsValue(ics, 'METHOD'), 'REQUEST');
  assert.equal(icsValue(ics, 'SUMMARY'), newTitle);
  assert.equal(icsValue(ics, 'UID'), icsValue(firstIcs, 'UID'));
  assert.equal(icsValue(ics, 'SEQUENCE'), '1');
  assert.match(ics, new RegExp(`^DTSTART;TZID=Europe/Berlin:${year}0314T100000\\r?$`, 'm'));

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Meetings' }).click();
  await expectVisible(meetingCard(page, newTitle));
});
