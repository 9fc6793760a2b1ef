// How a person uses Confab's pages, by what they see: roles, labels and text only.
import { expectVisible } from './expect.mjs';

/** Opens a join link as a guest, types a name (and passcode), and presses Join. */
export async function joinAsGuest(person, linkPath, displayName, { passcode } = {}) {
  const { page } = person;
  await page.goto(linkPath);
  await page.getByLabel('Your name').fill(displayName);
  if (passcode !== undefined) await page.getByLabel('Passcode').fill(passcode);
  await page.getByRole('button', { name: 'Join meeting' }).click();
}

/** From the signed-in home page, joins a meeting through its card's "Join as presenter". */
export async function joinFromHome(person, title) {
  const { page } = person;
  await page.goto('/');
  await meetingCard(page, title).getByRole('button', { name: 'Join as presenter' }).click();
  await expectInRoom(page, title);
}

/** A meeting on the home page's list, by title. */
export function meetingCard(page, title) {
  return page.getByRole('article', { name: title, exact: true });
}

/** The room is showing: its title, the people panel and the chat. */
export async function expectInRoom(page, title) {
  await expectVisible(page.getByRole('heading', { level: 1, name: title, exact: true }));
  await expectVisible(page.getByRole('heading', { name: 'People', exact: true }));
  await expectVisible(page.getByRole('heading', { name: 'Chat', exact: true }));
}

/** The room's "connection lost" banner. */
export function reconnectingBanner(page) {
  return page.getByRole('status').filter({ hasText: 'Connection lost. Reconnecting' });
}

/** Someone's row in the people panel (your own row reads "Name (you)"). */
export function rosterRow(page, name) {
  return page.getByRole('list', { name: 'Participants' }).getByRole('listitem').filter({ hasText: name });
}

/** Someone waiting in the lobby (presenters' view). */
export function lobbyRow(page, name) {
  return page.getByRole('list', { name: 'Lobby', exact: true }).getByRole('listitem').filter({ hasText: name });
}

/** The chat messages on screen; with `text`, only those whose text is exactly it. */
export function chatMessages(page, text) {
  const items = page.getByRole('log', { name: 'Chat messages' }).getByRole('listitem');
  return text === undefined ? items : items.filter({ has: page.getByText(text, { exact: true }) });
}

/** Types a chat message and sends it; `to` is a label in the "To" list (default Everyone). */
export async function sendChat(page, text, { to = 'Everyone' } = {}) {
  await page.getByLabel('To', { exact: true }).selectOption({ label: to });
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

/** Opens a room panel (People, Chat, Documents) from the bottom bar, unless it is open. */
export async function openPanel(page, name) {
  const button = page.getByRole('group', { name: 'Panels' }).getByRole('button', { name, exact: true });
  if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
}
