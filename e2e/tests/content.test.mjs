// A presenter uploads a document, presents it and turns pages; an attendee sees each page
// as it changes. The page images are real: the server converted the upload with poppler.
import { expectVisible } from "../lib/expect.mjs";
import { e2e } from "../lib/harness.mjs";
import { tinyPdf } from "../lib/pdf.mjs";
import { linkPath } from "../lib/server.mjs";
import { expectInRoom, joinAsGuest, joinFromHome } from "../lib/ui.mjs";

const env = e2e(import.meta.url);

/** Waits until the stage shows `alt` and its image has really been decoded. */
async function expectPageImage(page, alt) {
  const img = page.getByRole("img", { name: alt });
  await expectVisible(img);
  await img.evaluate((el) => el.decode());
  const width = await img.evaluate((el) => el.naturalWidth);
  if (width !== 1920)
    throw new Error(`expected a 1920 px page image, got ${width}`);
}

env.test(
  "a presenter uploads and flips pages, and the attendee sees every page change",
  async () => {
    const session = await env.server.signIn();
    const meeting = await session.createMeeting({
      title: "Deck review",
      lobby: false,
      wait_for_presenter: false,
    });
    const presenter = await env.person("Ada", { session });
    await joinFromHome(presenter, "Deck review");
    const guest = await env.person("Gus");
    await joinAsGuest(guest, linkPath(meeting.attendee_link), "Gus Guest");
    await expectInRoom(guest.page, "Deck review");
    await expectVisible(
      guest.page.getByRole("heading", { name: "Nothing is being shared" }),
    );

    await presenter.page.locator("#document-upload").setInputFiles({
      name: "plan.pdf",
      mimeType: "application/pdf",
      buffer: tinyPdf(3),
    });
    const documents = presenter.page.getByRole("list", { name: "Documents" });
    await expectVisible(documents.getByText("3 pages"));
    await presenter.page
      .getByRole("button", { name: "Show plan.pdf" })
      .click();

    await expectPageImage(presenter.page, "plan.pdf, page 1");
    await expectPageImage(guest.page, "plan.pdf, page 1");
    await expectVisible(guest.page.getByText("Page 1 of 3"));

    await presenter.page.getByRole("button", { name: "Next page" }).click();
    await expectPageImage(guest.page, "plan.pdf, page 2");
    await presenter.page.getByRole("button", { name: "Next page" }).click();
    await expectPageImage(guest.page, "plan.pdf, page 3");
    await expectVisible(guest.page.getByText("Page 3 of 3"));

    // Browsing on her own (allowed by default), then back to the presenter's page.
    await guest.page.getByRole("button", { name: "Previous page" }).click();
    await expectPageImage(guest.page, "plan.pdf, page 2");
    await guest.page.getByRole("button", { name: "Back to presenter" }).click();
    await expectPageImage(guest.page, "plan.pdf, page 3");
  },
);

env.test(
  "a file that is not what its name says is refused with a message to the presenter",
  async () => {
    const session = await env.server.signIn();
    await session.createMeeting({
      title: "Bad files",
      lobby: false,
      wait_for_presenter: false,
    });
    const presenter = await env.person("Ada", { session });
    await joinFromHome(presenter, "Bad files");
    env.allowConsoleErrors(/422/);
    await presenter.page.locator("#document-upload").setInputFiles({
      name: "notes.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.from("just some text, not a PDF"),
    });
    await expectVisible(
      presenter.page.getByText(/notes\.pdf: This file cannot be shown/),
    );
  },
);

env.test("a snapshot of the screen becomes a page everyone sees", async () => {
  const session = await env.server.signIn();
  const meeting = await session.createMeeting({
    title: "Snapshots",
    lobby: false,
    wait_for_presenter: false,
  });
  const presenter = await env.person("Ada", { session });
  await joinFromHome(presenter, "Snapshots");
  const guest = await env.person("Gus");
  await joinAsGuest(guest, linkPath(meeting.attendee_link), "Gus Guest");
  await expectInRoom(guest.page, "Snapshots");

  // Chromium's fake capture (FACTS.md) hands over a 1280×720 screen without a picker.
  await presenter.page.getByRole("button", { name: "Take a snapshot" }).click();
  const documents = presenter.page.getByRole("list", { name: "Documents" });
  await expectVisible(documents.getByText("1 page"));
  const present = documents.getByRole("button", {
    name: /^Show Snapshot \d\d\.\d\d\.png$/,
  });
  await present.click();
  const img = guest.page.getByRole("img", {
    name: /^Snapshot \d\d\.\d\d\.png, page 1$/,
  });
  await expectVisible(img);
  await img.evaluate((el) => el.decode());
  const size = await img.evaluate((el) => [el.naturalWidth, el.naturalHeight]);
  if (size[0] !== 1920 || size[1] !== 1080)
    throw new Error(`expected the 16:9 capture at 1920×1080, got ${size}`);
});
