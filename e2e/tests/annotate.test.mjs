// Annotation, whiteboards, text pages and export, told as one story: a presenter starts a
// whiteboard and draws; a guest sees the ink appear while it is being drawn (read from the
// pixels of her canvas), and so does a stock Yjs client; without the annotate permission
// the guest has no tools and the server refuses her writes; with it, she draws too. Then a
// text page typed by the presenter reaches the guest as text, the whiteboard exports as a
// PDF for the presenter but not for the guest, presenting passes to the guest (made
// presenter) and back, and ink on an uploaded PDF's page covers exactly its image.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { after } from "node:test";
import {
  eventually,
  expectHidden,
  expectText,
  expectVisible,
} from "../lib/expect.mjs";
import { e2e } from "../lib/harness.mjs";
import { tinyPdf } from "../lib/pdf.mjs";
import { ApiClient, linkPath } from "../lib/server.mjs";
import { expectInRoom, joinAsGuest, joinFromHome, openPanel } from "../lib/ui.mjs";
import { enterRoom, openSharedDoc } from "../lib/yjs.mjs";

const env = e2e(import.meta.url);

const title = "Sketching session";
const board = "Whiteboard 1, page 1";
let meeting;
let ada; // the organizer, presenting
let gus; // a guest
const cleanups = [];

env.setup(async () => {
  const session = await env.server.signIn();
  meeting = await session.createMeeting({
    title,
    lobby: false,
    wait_for_presenter: false,
  });
  ada = await env.person("Ada", { session });
  gus = await env.person("Gus");
});

/** The ink canvas over the whiteboard's first page. */
function inkCanvas(page, document = "Whiteboard 1") {
  return page.getByRole("img", {
    name: `Annotations on page 1 of ${document}`,
    exact: true,
  });
}

/**
 * The most opaque pixel of the ink canvas in a 7×7 square around (fx, fy), page
 * fractions, as [r, g, b, a]: what the person sees there (the page under it is white).
 */
function inkAt(page, fx, fy, document) {
  return inkCanvas(page, document).evaluate(
    (canvas, [x, y]) => {
      const cx = Math.round(x * canvas.width);
      const cy = Math.round(y * canvas.height);
      const data = canvas
        .getContext("2d")
        .getImageData(cx - 3, cy - 3, 7, 7).data;
      let best = [0, 0, 0, 0];
      for (let i = 0; i < data.length; i += 4)
        if (data[i + 3] > best[3])
          best = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      return best;
    },
    [fx, fy],
  );
}

const isRed = ([r, g, b, a]) => a > 150 && r > 180 && g < 90 && b < 120; // #e11d48
const isBlue = ([r, g, b, a]) => a > 150 && b > 180 && r < 90; // #2563eb
const isBlank = ([, , , a]) => a === 0;

async function expectInk(person, fx, fy, test, what, document) {
  await eventually(
    `${person.name} sees ${what} at (${fx}, ${fy})`,
    async () => {
      const px = await inkAt(person.page, fx, fy, document);
      assert.ok(test(px), `pixel there is rgba(${px})`);
    },
  );
}

/** Presses the mouse at `from` on the page and drags to `to` in steps (page fractions). */
async function drag(page, from, to, { release = true, document } = {}) {
  const box = await inkCanvas(page, document).boundingBox();
  const at = ([fx, fy]) => [box.x + fx * box.width, box.y + fy * box.height];
  await page.mouse.move(...at(from));
  await page.mouse.down();
  const steps = 12;
  for (let i = 1; i <= steps; i++)
    await page.mouse.move(
      ...at([
        from[0] + ((to[0] - from[0]) * i) / steps,
        from[1] + ((to[1] - from[1]) * i) / steps,
      ]),
    );
  if (release) await page.mouse.up();
}

/** This tab's join token, as the room page keeps it. */
async function tokenOf(person) {
  const raw = await person.page.evaluate(
    () =>
      Object.entries(sessionStorage).find(([k]) =>
        k.startsWith("confab.join."),
      )?.[1],
  );
  return JSON.parse(raw).token;
}

/** A third seat on the meeting, outside any browser, for the stock Yjs client. */
async function botSeat(name) {
  const key = linkPath(meeting.attendee_link).split("/").pop();
  const { token } = await new ApiClient(env.server.origin).post(
    `/api/v1/links/${key}/join`,
    {
      display_name: name,
      passcode: null,
    },
  );
  const room = await enterRoom(env.server, token);
  cleanups.push(() => room.ws.close());
  return { token, ...room };
}

env.test(
  "the presenter's stroke reaches the guest while it is drawn, and a stock Yjs client",
  async () => {
    await joinFromHome(ada, title);
    await joinAsGuest(gus, linkPath(meeting.attendee_link), "Gus Guest");
    await expectInRoom(gus.page, title);

    await ada.page.getByRole("button", { name: "New whiteboard" }).click();
    await expectVisible(
      gus.page.getByRole("img", { name: board, exact: true }),
    );
    await expectVisible(
      gus.page
        .getByRole("status", { name: "Presenter" })
        .getByText("Administrator is presenting"),
    );
    await expectVisible(
      ada.page.getByRole("toolbar", { name: "Drawing tools" }),
    );
    await expectInk(gus, 0.3, 0.3, isBlank, "a blank page");

    // Pen and red are the defaults. Hold the button down: the ink is streamed while drawn.
    await drag(ada.page, [0.2, 0.3], [0.6, 0.3], { release: false });
    await expectInk(gus, 0.4, 0.3, isRed, "red ink before the pen is lifted");
    await ada.page.mouse.up();
    await expectInk(gus, 0.6, 0.3, isRed, "the stroke's end");
    await expectInk(gus, 0.4, 0.6, isBlank, "nothing where nobody drew");
    // Her page is bigger than the presenter's (fewer bars above it): ink is kept in page
    // fractions, so it lines up at any size, including after her window changes.
    await gus.page.setViewportSize({ width: 900, height: 640 });
    await expectInk(
      gus,
      0.4,
      0.3,
      isRed,
      "the stroke in the same place in a smaller window",
    );
    await expectInk(gus, 0.4, 0.35, isBlank, "nothing just under it");
    await gus.page.setViewportSize({ width: 1280, height: 800 });

    // A stock Yjs client sees the same stroke, in the documented schema.
    const bot = await botSeat("Yjs bot");
    const doc = bot.snapshot.documents.find((d) => d.name === "Whiteboard 1");
    const stock = openSharedDoc(
      env.server,
      meeting.id,
      doc.pages[0].collab,
      bot.token,
    );
    cleanups.push(() => stock.destroy());
    await eventually("the stock client has the stroke", () => {
      const ink = stock.doc.getArray("ink").toJSON();
      assert.equal(ink.length, 1);
      const [s] = ink;
      assert.equal(s.tool, "pen");
      assert.equal(s.color, "#e11d48");
      assert.ok(s.points.length >= 8, `only ${s.points.length / 2} points`);
      assert.ok(
        Math.abs(s.points[0] - 0.2) < 0.01 &&
          Math.abs(s.points[1] - 0.3) < 0.01,
        `starts at ${s.points.slice(0, 2)}`,
      );
    });
  },
);

env.test(
  "the presenter's laser pointer moves on the guest's screen",
  async () => {
    await ada.page.getByRole("button", { name: "Laser pointer" }).click();
    const box = await inkCanvas(ada.page).boundingBox();
    await ada.page.mouse.move(
      box.x + 0.7 * box.width,
      box.y + 0.5 * box.height,
    );
    await ada.page.mouse.move(
      box.x + 0.75 * box.width,
      box.y + 0.5 * box.height,
    );
    await expectInk(gus, 0.75, 0.5, isRed, "the laser dot");
    // Off the page, the dot goes away; the laser leaves no ink behind.
    await ada.page.mouse.move(box.x + box.width / 2, box.y - 40);
    await expectInk(gus, 0.75, 0.5, isBlank, "no dot once the pointer left");
    await ada.page.getByRole("button", { name: "Pen" }).click();
  },
);

env.test(
  "a guest without the annotate permission has no tools, and the server refuses her writes",
  async () => {
    await expectVisible(inkCanvas(gus.page));
    await expectHidden(
      gus.page.getByRole("toolbar", { name: "Drawing tools" }),
    );

    // Her own seat, writing through a stock client as a modified browser could.
    const bot = await botSeat("Reader");
    const name = bot.snapshot.documents.find((d) => d.name === "Whiteboard 1")
      .pages[0].collab;
    const sneaky = openSharedDoc(
      env.server,
      meeting.id,
      name,
      await tokenOf(gus),
    );
    cleanups.push(() => sneaky.destroy());
    await eventually("synced", () => assert.ok(sneaky.provider.synced));
    const { Map: YMap, Array: YArray } = await import("yjs");
    const stroke = new YMap();
    sneaky.doc.transact(() => {
      stroke.set("id", "sneaky");
      stroke.set("tool", "line");
      stroke.set("color", "#2563eb");
      stroke.set("width", 0.01);
      const points = new YArray();
      points.push([0.2, 0.7, 0.8, 0.7]);
      stroke.set("points", points);
      stroke.set("author", "gus");
      sneaky.doc.getArray("ink").push([stroke]);
    });
    await eventually("the refusal", () =>
      assert.equal(sneaky.closed()?.code, 4403),
    );
    // The presenter never sees it.
    await expectInk(ada, 0.5, 0.7, isBlank, "no line from the refused write");
  },
);

env.test(
  "once the presenter turns annotate on, the guest draws and the presenter sees it",
  async () => {
    await ada.page.getByRole("button", { name: "Permissions" }).click();
    await ada.page.getByLabel("Annotate", { exact: true }).check();
    await ada.page.getByRole("button", { name: "Save permissions" }).click();

    const tools = gus.page.getByRole("toolbar", { name: "Drawing tools" });
    await expectVisible(tools);
    await tools.getByRole("button", { name: "Line", exact: true }).click();
    await tools.getByRole("button", { name: "Blue", exact: true }).click();
    await drag(gus.page, [0.2, 0.8], [0.8, 0.8]);
    await expectInk(ada, 0.5, 0.8, isBlue, "the guest's blue line");
    await expectInk(ada, 0.4, 0.3, isRed, "her own stroke, still there");

    // Undo takes back the guest's own line only; the keyboard shortcuts work too.
    await tools.getByRole("button", { name: "Undo", exact: true }).click();
    await expectInk(ada, 0.5, 0.8, isBlank, "the line undone");
    await expectInk(
      ada,
      0.4,
      0.3,
      isRed,
      "the presenter's stroke, untouched by the guest's undo",
    );
    await gus.page.keyboard.press("Control+Shift+Z");
    await expectInk(ada, 0.5, 0.8, isBlue, "the line redone");
    await gus.page.keyboard.press("Control+Z");
    await expectInk(ada, 0.5, 0.8, isBlank, "the line undone again");
  },
);

env.test(
  "a text page typed by the presenter appears as text for the guest",
  async () => {
    await openPanel(ada.page, "Documents");
    await ada.page.getByRole("button", { name: "New text page" }).click();
    const editor = ada.page.getByRole("textbox", { name: "Text page" });
    await expectVisible(editor);
    await editor.click();
    await ada.page
      .getByRole("button", { name: "Heading", exact: true })
      .click();
    await ada.page.keyboard.type("Agenda");
    await ada.page.keyboard.press("Enter");
    await ada.page.getByRole("button", { name: "Bulleted list" }).click();
    await ada.page.keyboard.type("Ship the whiteboard");
    await ada.page.keyboard.press("Enter");
    await ada.page.keyboard.type("Test it");

    const seen = gus.page.getByRole("textbox", { name: "Text page" });
    await expectVisible(seen.getByRole("heading", { name: "Agenda" }));
    await expectVisible(
      seen.getByRole("listitem").filter({ hasText: "Ship the whiteboard" }),
    );
    await expectVisible(
      seen.getByRole("listitem").filter({ hasText: "Test it" }),
    );
    assert.equal(await seen.getAttribute("contenteditable"), "false");
  },
);

env.test(
  "the presenter exports the whiteboard as a PDF; a guest without export permission is refused",
  async () => {
    await ada.page
      .getByRole("button", { name: "Show Whiteboard 1" })
      .click();
    await expectVisible(
      gus.page.getByRole("img", { name: board, exact: true }),
    );
    await ada.page.getByRole("button", { name: "Add page" }).click();
    await expectVisible(gus.page.getByText("Page 2 of 2"));
    const [download] = await Promise.all([
      ada.page.waitForEvent("download"),
      ada.page.getByRole("button", { name: "Export PDF" }).click(),
    ]);
    assert.equal(download.suggestedFilename(), "Whiteboard 1.pdf");
    const path = await download.path();
    const pdf = await readFile(path);
    assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-");
    const info = execFileSync("pdfinfo", [path], { encoding: "utf8" });
    assert.match(info, /^Pages:\s+2$/m);

    // The guest has no button, and the server refuses her even when asked directly.
    await expectHidden(gus.page.getByRole("button", { name: "Export PDF" }));
    env.allowConsoleErrors(/403/);
    const token = await tokenOf(gus);
    const docs = (await botSeat("Counter")).snapshot.documents;
    const id = docs.find((d) => d.name === "Whiteboard 1").id;
    const res = await gus.page.evaluate(
      async ([url, bearer]) => {
        const r = await fetch(url, {
          headers: { authorization: `Bearer ${bearer}` },
        });
        return { status: r.status, type: r.headers.get("content-type") };
      },
      [`/api/v1/meetings/${meeting.id}/documents/${id}/export`, token],
    );
    assert.equal(res.status, 403);
    assert.match(res.type, /problem\+json/);
  },
);

after(() => {
  for (const c of cleanups.splice(0)) c();
});

env.test(
  "presenting passes to another presenter, who drives the stage, and can be taken back",
  async () => {
    await openPanel(ada.page, "People");
    await ada.page
      .getByRole("button", { name: "Actions for Gus Guest" })
      .click();
    await ada.page.getByRole("menuitem", { name: "Make presenter" }).click();
    const status = (person) =>
      person.page.getByRole("status", { name: "Presenter" });
    await expectText(status(gus), "Administrator is presenting");
    await expectVisible(gus.page.getByRole("button", { name: "Take over" }));

    await ada.page
      .getByLabel("Pass presenting to")
      .selectOption({ label: "Gus Guest" });
    await ada.page.getByRole("button", { name: "Pass", exact: true }).click();
    await expectText(status(gus), "You are presenting");
    await expectText(status(ada), "Gus Guest is presenting");

    // Gus now turns the pages everyone sees.
    await gus.page.getByRole("button", { name: "Previous page" }).click();
    await expectVisible(ada.page.getByText("Page 1 of 2"));

    await ada.page.getByRole("button", { name: "Take over" }).click();
    await expectText(status(ada), "You are presenting");
    await expectText(status(gus), "Administrator is presenting");
  },
);

env.test(
  "ink on an uploaded document's page lies over the page image and exports with it",
  async () => {
    await ada.page.locator("#document-upload").setInputFiles({
      name: "slides.pdf",
      mimeType: "application/pdf",
      buffer: tinyPdf(1),
    });
    await expectVisible(
      ada.page.getByRole("list", { name: "Documents" }).getByText("1 page"),
    );
    await ada.page.getByRole("button", { name: "Show slides.pdf" }).click();
    const image = gus.page.getByRole("img", {
      name: "slides.pdf, page 1",
      exact: true,
    });
    await expectVisible(image);
    await drag(ada.page, [0.1, 0.9], [0.9, 0.9], { document: "slides.pdf" });
    await expectInk(
      gus,
      0.5,
      0.9,
      isRed,
      "the stroke over the slide",
      "slides.pdf",
    );
    // The canvas covers the image exactly, so page fractions mean the same on both.
    const [img, ink] = await Promise.all([
      image.boundingBox(),
      inkCanvas(gus.page, "slides.pdf").boundingBox(),
    ]);
    assert.deepEqual(ink, img);

    const [download] = await Promise.all([
      ada.page.waitForEvent("download"),
      ada.page.getByRole("button", { name: "Export PDF" }).click(),
    ]);
    assert.equal(download.suggestedFilename(), "slides.pdf");
    assert.match(
      execFileSync("pdfinfo", [await download.path()], { encoding: "utf8" }),
      /^Pages:\s+1$/m,
    );
  },
);
