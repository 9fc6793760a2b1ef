//! Chat rules: who may read a message, and who receives it.

use confab_proto::{
    room::{ChatMessage, ChatTo},
    ParticipantId,
};

/// Whether `reader` may read `msg` (the sender always may).
pub(super) fn readable_by(
    msg: &ChatMessage,
    reader: ParticipantId,
    reader_is_presenter: bool,
) -> bool {
    msg.from == reader
        || match msg.to {
            ChatTo::Everyone => true,
            ChatTo::Presenters => reader_is_presenter,
            ChatTo::Participant { id } => id == reader,
        }
}
