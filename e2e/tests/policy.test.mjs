// An administrator changes the organisation's policy in the browser, and meetings
// follow it: with chat turned off, a guest finds the chat box closed and says why.
import { expectVisible } from "../lib/expect.mjs";
import { e2e } from "../lib/harness.mjs";
import { linkPath } from "../lib/server.mjs";
import { expectInRoom, joinAsGuest } from "../lib/ui.mjs";

const env = e2e(import.meta.url);

env.test(
  "turning chat off in the policy closes the chat box in new meetings",
  async () => {
    const session = await env.server.signIn();
    const admin = await env.person("Ada", { session });
    const { page } = admin;
    await page.goto("/");
    await page.getByRole("link", { name: "Policy" }).click();
    await expectVisible(
      page.getByRole("heading", { name: "Policy", level: 1 }),
    );
    const chat = page.getByRole("checkbox", { name: "Chat" });
    await expectVisible(chat);
    await chat.uncheck();
    await page.getByRole("button", { name: "Save policy" }).click();
    await expectVisible(page.getByText("Policy saved"));

    // A reload shows what the server kept, not what the form remembers.
    await page.reload();
    await expectVisible(
      page.getByRole("checkbox", { name: "Chat", checked: false }),
    );

    const meeting = await session.createMeeting({
      title: "Quiet meeting",
      lobby: false,
      wait_for_presenter: false,
    });
    const guest = await env.person("Gus");
    await joinAsGuest(guest, linkPath(meeting.attendee_link), "Gus Guest");
    await expectInRoom(guest.page, "Quiet meeting");
    await expectVisible(
      guest.page.getByText("Chat is turned off by your organisation."),
    );
    const box = guest.page.getByRole("textbox", { name: "Message" });
    if (await box.isEnabled())
      throw new Error(
        "the message box must be disabled when policy turns chat off",
      );
  },
);
