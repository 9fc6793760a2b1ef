//! Routing decisions, driven with a virtual clock.

use std::time::{Duration, Instant};

use super::*;

fn simulcast() -> Vec<LayerInfo> {
    vec![
        LayerInfo {
            layer: Layer::Low,
            height: 180,
            bitrate: 150_000,
        },
        LayerInfo {
            layer: Layer::Medium,
            height: 360,
            bitrate: 500_000,
        },
        LayerInfo {
            layer: Layer::High,
            height: 720,
            bitrate: 1_500_000,
        },
    ]
}

fn camera(p: ParticipantId) -> TrackId {
    TrackId {
        publisher: p,
        source: Source::Camera,
    }
}

struct Meeting {
    r: Router,
    people: Vec<ParticipantId>,
    now: Instant,
}

/// `n` participants, each publishing a simulcast camera and subscribing with a layout
/// that shows nothing yet.
fn meeting(n: usize) -> Meeting {
    let mut r = Router::new(RouterConfig::default());
    let people: Vec<_> = (0..n).map(|_| ParticipantId::new()).collect();
    for p in &people {
        r.add_subscriber(*p, 4, 10);
        r.set_layout(*p, Vec::new());
        r.set_track(camera(*p), simulcast());
        r.set_budget(*p, 10_000_000);
    }
    Meeting {
        r,
        people,
        now: Instant::now(),
    }
}

fn forwards(out: &[Decision], sub: ParticipantId) -> Vec<(TrackId, Option<Layer>)> {
    out.iter()
        .filter_map(|d| match d {
            Decision::Forward {
                subscriber,
                track,
                layer,
            } if *subscriber == sub => Some((*track, *layer)),
            _ => None,
        })
        .collect()
}

fn keyframe_requests(out: &[Decision]) -> Vec<(TrackId, Layer)> {
    out.iter()
        .filter_map(|d| match d {
            Decision::RequestKeyframe { track, layer } => Some((*track, *layer)),
            _ => None,
        })
        .collect()
}

#[test]
fn small_tiles_get_the_low_layer_once_its_keyframe_arrives() {
    let mut m = meeting(3);
    let (viewer, a, b) = (m.people[0], m.people[1], m.people[2]);
    let tiles = vec![
        Tile::Track {
            track: camera(a),
            height: 120,
        },
        Tile::Track {
            track: camera(b),
            height: 120,
        },
    ];
    m.r.set_layout(viewer, tiles);
    let out = m.r.tick(m.now);
    assert!(
        forwards(&out, viewer).is_empty(),
        "nothing flows before a keyframe"
    );
    assert_eq!(
        keyframe_requests(&out),
        vec![(camera(a), Layer::Low), (camera(b), Layer::Low)]
    );
    let out = m.r.on_keyframe(camera(a), Layer::Low);
    assert_eq!(forwards(&out, viewer), vec![(camera(a), Some(Layer::Low))]);
}

#[test]
fn growing_a_tile_switches_up_only_on_the_new_layers_keyframe() {
    let mut m = meeting(2);
    let (viewer, a) = (m.people[0], m.people[1]);
    m.r.set_layout(
        viewer,
        vec![Tile::Track {
            track: camera(a),
            height: 120,
        }],
    );
    m.r.tick(m.now);
    m.r.on_keyframe(camera(a), Layer::Low);
    m.r.set_layout(
        viewer,
        vec![Tile::Track {
            track: camera(a),
            height: 720,
        }],
    );
    m.now += Duration::from_millis(50);
    let out = m.r.tick(m.now);
    assert!(
        forwards(&out, viewer).is_empty(),
        "low keeps flowing until high has a keyframe"
    );
    assert_eq!(keyframe_requests(&out), vec![(camera(a), Layer::High)]);
    assert!(
        m.r.on_keyframe(camera(a), Layer::Medium).is_empty(),
        "a keyframe of another layer changes nothing"
    );
    assert_eq!(
        forwards(&m.r.on_keyframe(camera(a), Layer::High), viewer),
        vec![(camera(a), Some(Layer::High))]
    );
}

#[test]
fn keyframe_requests_are_throttled_per_layer_across_subscribers() {
    let mut m = meeting(4);
    let a = m.people[0];
    for v in &m.people[1..] {
        m.r.set_layout(
            *v,
            vec![Tile::Track {
                track: camera(a),
                height: 720,
            }],
        );
    }
    let out = m.r.tick(m.now);
    assert_eq!(
        keyframe_requests(&out),
        vec![(camera(a), Layer::High)],
        "one request for three viewers"
    );
    m.now += Duration::from_millis(100);
    assert!(
        keyframe_requests(&m.r.tick(m.now)).is_empty(),
        "throttled while the keyframe is on its way"
    );
    m.now += Duration::from_millis(300);
    assert_eq!(
        keyframe_requests(&m.r.tick(m.now)).len(),
        1,
        "asked again when none came"
    );
}

#[test]
fn a_tight_budget_serves_tiles_in_priority_order_and_leaves_the_rest_their_lowest_layer() {
    let mut m = meeting(3);
    let (viewer, a, b) = (m.people[0], m.people[1], m.people[2]);
    m.r.set_budget(viewer, 700_000);
    m.r.set_layout(
        viewer,
        vec![
            Tile::Track {
                track: camera(a),
                height: 720,
            },
            Tile::Track {
                track: camera(b),
                height: 720,
            },
        ],
    );
    let out = m.r.tick(m.now);
    // a may use 700k less b's lowest 150k: medium (500k); b gets the 200k left: low.
    assert_eq!(
        keyframe_requests(&out),
        vec![(camera(a), Layer::Medium), (camera(b), Layer::Low)]
    );
    // With room for the lowest layers only, the first tiles get them.
    m.r.set_budget(viewer, 200_000);
    m.r.tick(m.now + Duration::from_secs(1));
    m.r.on_keyframe(camera(a), Layer::Low);
    assert_eq!(m.r.video_slot(viewer, camera(a)).unwrap().1, Layer::Low);
    assert!(
        m.r.video_slot(viewer, camera(b)).is_none(),
        "b does not fit"
    );
}

#[test]
fn last_n_keeps_the_first_tiles_that_fit_the_slots_and_never_your_own() {
    let mut m = meeting(14);
    let viewer = m.people[0];
    let tiles: Vec<Tile> = m
        .people
        .iter()
        .map(|p| Tile::Track {
            track: camera(*p),
            height: 120,
        })
        .collect();
    m.r.set_layout(viewer, tiles);
    let out = m.r.tick(m.now);
    let slotted: Vec<TrackId> = out
        .iter()
        .filter_map(|d| match d {
            Decision::VideoSlot { subscriber, change } if *subscriber == viewer => change.source,
            _ => None,
        })
        .collect();
    assert_eq!(slotted.len(), 10);
    assert!(!slotted.contains(&camera(viewer)));
    assert_eq!(slotted[0], camera(m.people[1]));
}

#[test]
fn the_speaker_tile_follows_the_dominant_speaker() {
    let mut m = meeting(3);
    let (viewer, a) = (m.people[0], m.people[1]);
    m.r.set_layout(viewer, vec![Tile::Speaker { height: 720 }]);
    assert!(
        keyframe_requests(&m.r.tick(m.now)).is_empty(),
        "nobody speaks: no speaker tile"
    );
    for _ in 0..50 {
        m.r.on_audio_level(a, 20, m.now);
        m.now += Duration::from_millis(20);
    }
    let out = m.r.tick(m.now);
    assert!(out.contains(&Decision::DominantSpeaker(a)));
    assert_eq!(keyframe_requests(&out), vec![(camera(a), Layer::High)]);
    let heard: Vec<_> = out
        .iter()
        .filter_map(|d| match d {
            Decision::AudioSlot { subscriber, change } => Some((*subscriber, change.source)),
            _ => None,
        })
        .collect();
    assert!(heard.contains(&(viewer, Some(a))));
    assert!(!heard.contains(&(a, Some(a))), "nobody hears themselves");
}

#[test]
fn unwatched_layers_are_paused_and_resumed_when_wanted() {
    let mut m = meeting(2);
    let (viewer, a) = (m.people[0], m.people[1]);
    let out = m.r.tick(m.now);
    assert!(out.contains(&Decision::PauseLayer {
        track: camera(a),
        layer: Layer::High
    }));
    assert!(out.contains(&Decision::PauseLayer {
        track: camera(a),
        layer: Layer::Low
    }));
    m.r.set_layout(
        viewer,
        vec![Tile::Track {
            track: camera(a),
            height: 120,
        }],
    );
    let out = m.r.tick(m.now);
    let resume = out.iter().position(|d| {
        *d == Decision::ResumeLayer {
            track: camera(a),
            layer: Layer::Low,
        }
    });
    let request = out.iter().position(|d| {
        *d == Decision::RequestKeyframe {
            track: camera(a),
            layer: Layer::Low,
        }
    });
    assert!(
        resume.is_some() && resume < request,
        "resume before asking for a keyframe: {out:?}"
    );
    assert!(!out.contains(&Decision::ResumeLayer {
        track: camera(a),
        layer: Layer::High
    }));
}

#[test]
fn leaving_stops_forwarding_and_leaves_nothing_behind() {
    let mut m = meeting(2);
    let (viewer, a) = (m.people[0], m.people[1]);
    m.r.set_layout(
        viewer,
        vec![Tile::Track {
            track: camera(a),
            height: 120,
        }],
    );
    m.r.tick(m.now);
    m.r.on_keyframe(camera(a), Layer::Low);
    m.r.remove_participant(a);
    assert!(
        m.r.video_slot(viewer, camera(a)).is_none(),
        "stopped at once"
    );
    m.r.tick(m.now);
    m.r.remove_participant(viewer);
    assert!(m.r.is_empty());
}

#[test]
fn until_its_layout_is_known_a_subscriber_sees_every_camera_at_the_low_layer() {
    let mut m = Meeting {
        r: Router::new(RouterConfig::default()),
        people: (0..3).map(|_| ParticipantId::new()).collect(),
        now: Instant::now(),
    };
    let (listener, a, b) = (m.people[0], m.people[1], m.people[2]);
    // A listener publishes nothing; two others publish cameras. Nobody reported a layout.
    for p in [listener, a, b] {
        m.r.add_subscriber(p, 4, 9);
    }
    for p in [a, b] {
        m.r.set_track(camera(p), simulcast());
    }
    let out = m.r.tick(m.now);
    assert_eq!(
        keyframe_requests(&out),
        vec![(camera(a), Layer::Low), (camera(b), Layer::Low)]
    );
    m.r.on_keyframe(camera(a), Layer::Low);
    m.r.on_keyframe(camera(b), Layer::Low);
    for (viewer, seen) in [(listener, vec![a, b]), (a, vec![b]), (b, vec![a])] {
        let (_, video) = m.r.slot_lists(viewer).unwrap();
        let filled: Vec<ParticipantId> = video.into_iter().flatten().collect();
        assert_eq!(filled, seen, "nobody's own camera, everyone else's");
        for p in seen {
            assert_eq!(m.r.video_slot(viewer, camera(p)).unwrap().1, Layer::Low);
        }
    }
    // An explicit layout, even an empty one, replaces the default.
    m.r.set_layout(listener, vec![]);
    let out = m.r.tick(m.now);
    assert_eq!(
        forwards(&out, listener),
        vec![(camera(a), None), (camera(b), None)]
    );
}

#[test]
fn a_publisher_who_reconnects_is_forwarded_again_from_its_new_keyframe() {
    let mut m = meeting(2);
    let (viewer, a) = (m.people[0], m.people[1]);
    let tile = Tile::Track {
        track: camera(a),
        height: 120,
    };
    m.r.set_layout(viewer, vec![tile]);
    m.r.tick(m.now);
    m.r.on_keyframe(camera(a), Layer::Low);
    assert!(m.r.video_slot(viewer, camera(a)).is_some());
    // A new connection of a's replaces the old one before the next tick.
    m.r.remove_participant(a);
    m.r.add_subscriber(a, 4, 10);
    m.r.set_layout(a, Vec::new());
    m.r.set_track(camera(a), simulcast());
    assert!(
        m.r.video_slot(viewer, camera(a)).is_none(),
        "the new stream's deltas are useless before its keyframe"
    );
    let out = m.r.tick(m.now + Duration::from_secs(1));
    assert_eq!(keyframe_requests(&out), vec![(camera(a), Layer::Low)]);
    m.r.on_keyframe(camera(a), Layer::Low);
    assert_eq!(m.r.video_slot(viewer, camera(a)).unwrap().1, Layer::Low);
}

#[test]
fn a_layer_whose_keyframe_never_comes_gives_way_to_one_that_is_sent_then_is_retried() {
    let mut m = meeting(2);
    let (viewer, a) = (m.people[0], m.people[1]);
    let tile = Tile::Track {
        track: camera(a),
        height: 300,
    };
    m.r.set_layout(viewer, vec![tile]);
    let out = m.r.tick(m.now);
    assert_eq!(keyframe_requests(&out), vec![(camera(a), Layer::Medium)]);
    // The browser stopped sending the medium layer (CPU or uplink short): no keyframe
    // comes, however often it is asked for.
    let cfg = RouterConfig::default();
    let mut t = m.now;
    loop {
        t += Duration::from_millis(50);
        let out = m.r.tick(t);
        if keyframe_requests(&out).contains(&(camera(a), Layer::Low)) {
            break;
        }
        assert!(t < m.now + cfg.stall_after * 2, "never falls back");
    }
    assert!(t >= m.now + cfg.stall_after, "gave up on medium too soon");
    m.r.on_keyframe(camera(a), Layer::Low);
    assert_eq!(m.r.video_slot(viewer, camera(a)).unwrap().1, Layer::Low);
    // Later the medium layer is tried again, and taken once its keyframe comes.
    let later = t + cfg.stall_retry + Duration::from_millis(100);
    let out = m.r.tick(later);
    assert_eq!(keyframe_requests(&out), vec![(camera(a), Layer::Medium)]);
    m.r.on_keyframe(camera(a), Layer::Medium);
    assert_eq!(m.r.video_slot(viewer, camera(a)).unwrap().1, Layer::Medium);
}
