//! Fixed receive slots: each subscriber's peer connection is negotiated once with a set
//! number of receive transceivers (say 4 audio, 9 video). The server decides which
//! source fills which slot and rewrites packets accordingly, so joins and leaves never
//! renegotiate anyone. Assignment is stable: a source keeps its slot while it stays
//! wanted, and only freed slots are reused.

/// Slot assignment for one kind of media (audio or video) of one subscriber.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slots<S> {
    slots: Vec<Option<S>>,
}

/// What changed in one slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotChange<S> {
    pub slot: usize,
    /// The source now in the slot, or `None` if it fell empty.
    pub source: Option<S>,
}

impl<S: Clone + PartialEq> Slots<S> {
    pub fn new(count: usize) -> Self {
        Self {
            slots: vec![None; count],
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The slot a source occupies.
    pub fn slot_of(&self, source: &S) -> Option<usize> {
        self.slots.iter().position(|s| s.as_ref() == Some(source))
    }

    pub fn source_in(&self, slot: usize) -> Option<&S> {
        self.slots.get(slot).and_then(Option::as_ref)
    }

    /// Fills the slots with `wanted` (in priority order; those beyond the slot count are
    /// left out). Sources already placed keep their slot. Returns the changes.
    pub fn assign(&mut self, wanted: &[S]) -> Vec<SlotChange<S>> {
        let wanted = &wanted[..wanted.len().min(self.slots.len())];
        let mut changes = Vec::new();
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if slot.as_ref().is_some_and(|s| !wanted.contains(s)) {
                *slot = None;
                changes.push(SlotChange {
                    slot: i,
                    source: None,
                });
            }
        }
        for source in wanted {
            if self.slots.iter().any(|s| s.as_ref() == Some(source)) {
                continue;
            }
            let free = self
                .slots
                .iter()
                .position(Option::is_none)
                .expect("wanted fits the slots");
            self.slots[free] = Some(source.clone());
            match changes.iter_mut().find(|c| c.slot == free) {
                Some(c) => c.source = Some(source.clone()),
                None => changes.push(SlotChange {
                    slot: free,
                    source: Some(source.clone()),
                }),
            }
        }
        changes.sort_by_key(|c| c.slot);
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_keep_their_slots_and_newcomers_take_freed_ones() {
        let mut s = Slots::new(3);
        s.assign(&["a", "b", "c"]);
        assert_eq!(s.slot_of(&"b"), Some(1));
        let changes = s.assign(&["c", "d", "a"]);
        assert_eq!(
            changes,
            vec![SlotChange {
                slot: 1,
                source: Some("d")
            }],
            "only b's slot changes"
        );
        assert_eq!((s.slot_of(&"a"), s.slot_of(&"c")), (Some(0), Some(2)));
    }

    #[test]
    fn more_sources_than_slots_keeps_the_first_ones_and_fewer_empties_slots() {
        let mut s = Slots::new(2);
        s.assign(&["a", "b", "c"]);
        assert_eq!(s.slot_of(&"c"), None);
        let changes = s.assign(&["b"]);
        assert_eq!(
            changes,
            vec![SlotChange {
                slot: 0,
                source: None
            }]
        );
        assert_eq!(s.source_in(1), Some(&"b"));
        assert!(
            s.assign(&["b"]).is_empty(),
            "nothing changes, nothing is reported"
        );
    }
}
