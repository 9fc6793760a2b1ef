//! Payload types per peer. Every browser numbers its codecs its own way (Chromium: Opus
//! 111, VP8 96; Firefox: Opus 109, VP8 120 with RTX 124), and str0m negotiates each
//! participant's `Rtc` in that participant's numbering. A packet forwarded from one peer
//! to another is therefore renumbered by what it carries: the publisher's payload type
//! names a codec with its parameters there, and the subscriber's slot gets the payload
//! type its own offer gave the best match of that codec (str0m's
//! [`CodecConfig::match_params`]: VP8, H.264 by profile and packetization mode, Opus by
//! its parameters). Header-extension ids need no such step: str0m parses them into
//! values with the publisher's map and writes them with the subscriber's.
//!
//! Also here: what may be said about a payload at all (its keyframes), and the check
//! that an offer numbers its payload types consistently — str0m keeps one numbering per
//! peer, and an offer whose m-lines disagree would make it panic or answer nonsense.

use std::collections::{HashMap, HashSet};

use str0m::{
    format::{detect_h264_nalu, detect_vp8_keyframe, Codec, CodecConfig, PayloadParams},
    media::{Mid, Pt},
    Rtc,
};

/// What a publisher's packet carries: the codec and parameters its payload type was
/// negotiated for, and whether it comes wrapped in RED (RFC 2198).
#[derive(Clone, Copy, Debug)]
pub(super) struct Published {
    params: PayloadParams,
    red: bool,
}

impl Published {
    pub(super) fn codec(&self) -> Codec {
        self.params.spec().codec
    }
}

/// What becomes of a publisher's packet on its way into one subscriber's slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mapping {
    /// Send it with this payload type.
    Pt(Pt),
    /// The subscriber's slot cannot decode this codec: drop it, and tell them.
    Undecodable(Codec),
}

/// What a publisher's packet with payload type `pt` on `mid` carries; `None` if `pt` was
/// not negotiated there (str0m accepts any payload type of the connection on any of its
/// tracks, so a video codec's number could arrive on the audio track).
pub(super) fn published(rtc: &Rtc, mid: Mid, pt: Pt) -> Option<Published> {
    let media = rtc.media(mid)?;
    let params = rtc
        .codec_config()
        .find(|p| p.pt() == pt || p.red() == Some(pt))?;
    let negotiated =
        params.spec().codec.kind() == media.kind() && media.remote_pts().contains(&params.pt());
    negotiated.then_some(Published {
        params: *params,
        red: params.pt() != pt,
    })
}

/// The payload type a publisher's packet takes in `subscriber`'s slot `to`.
pub(super) fn map(published: &Published, subscriber: &Rtc, to: Mid) -> Mapping {
    let codec = published.codec();
    let Some(slot) = subscriber.media(to) else {
        return Mapping::Undecodable(codec);
    };
    // Only what the subscriber accepted on this very m-line.
    let accepted: Vec<PayloadParams> = subscriber
        .codec_config()
        .iter()
        .filter(|p| slot.remote_pts().contains(&p.pt()))
        .copied()
        .collect();
    let accepted = CodecConfig::new_from_payload_params(accepted);
    let Some(local) = accepted.match_params(published.params) else {
        return Mapping::Undecodable(codec);
    };
    match published.red {
        false => Mapping::Pt(local.pt()),
        // RED stays RED: a subscriber that did not negotiate it gets nothing rather
        // than redundancy blocks its decoder would take for Opus.
        true => local
            .red()
            .map_or(Mapping::Undecodable(Codec::Red), Mapping::Pt),
    }
}

/// Whether a video payload of `codec` is the first packet of a keyframe, where a
/// subscriber can start decoding. For H.264 that is the packet with the sequence
/// parameter set (browsers send it right before each IDR), or the IDR itself.
pub(super) fn starts_keyframe(codec: Codec, payload: &[u8]) -> bool {
    match codec {
        Codec::Vp8 => detect_vp8_keyframe(payload),
        Codec::H264 => detect_h264_nalu(payload, 7) || detect_h264_nalu(payload, 5),
        _ => false,
    }
}

/// Checks that an offer numbers its payload types the same way in every m-line: a
/// number always means the same codec and parameters, a codec always has the same
/// number, and no m-line lists a number twice. Says what is wrong if not.
pub(super) fn check_numbering(sdp: &str) -> Result<(), String> {
    /// A payload type's meaning: its kind, rtpmap and fmtp.
    type Meaning = (String, String, String);
    let mut by_pt: HashMap<u8, Meaning> = HashMap::new();
    let mut by_meaning: HashMap<Meaning, u8> = HashMap::new();
    for section in sdp.split("\nm=").skip(1) {
        let mut words = section.lines().next().unwrap_or("").split_whitespace();
        let kind = words.next().unwrap_or("").to_owned();
        let listed: Vec<&str> = words.skip(2).collect();
        // Linear in the offer's size, however many payload types it lists.
        let mut seen = HashSet::new();
        if let Some(pt) = listed.iter().find(|pt| !seen.insert(**pt)) {
            return Err(format!(
                "payload type {pt} is listed twice in one {kind} m-line"
            ));
        }
        let mut attrs: HashMap<(&str, &str), String> = HashMap::new();
        for line in section.lines() {
            let Some((name, rest)) = line.strip_prefix("a=").and_then(|l| l.split_once(':')) else {
                continue;
            };
            if name != "rtpmap" && name != "fmtp" {
                continue;
            }
            if let Some((pt, value)) = rest.trim_end().split_once(' ') {
                let value = || value.trim().to_ascii_lowercase();
                attrs.entry((name, pt)).or_insert_with(value);
            }
        }
        let attr = |name: &str, pt: &str| attrs.get(&(name, pt)).cloned().unwrap_or_default();
        for pt in listed {
            let Ok(number) = pt.parse::<u8>() else {
                continue;
            };
            let rtpmap = attr("rtpmap", pt);
            if rtpmap.is_empty() {
                continue; // a static payload type, which means the same everywhere
            }
            // Bundled m-lines share one numbering, audio and video alike.
            let meaning = (kind.clone(), rtpmap, attr("fmtp", pt));
            if let Some(m) = by_pt.get(&number).filter(|m| **m != meaning) {
                return Err(format!(
                    "payload type {number} means {} {} in one m-line and {} {} in another",
                    m.0, m.1, meaning.0, meaning.1
                ));
            }
            // Codecs str0m does not know (FEC, say) all read `unknown` here, and are
            // never negotiated: only their numbers must not clash.
            let known = !meaning.1.starts_with("unknown/");
            if let Some(n) = by_meaning.get(&meaning).filter(|n| known && **n != number) {
                return Err(format!(
                    "{} {} is numbered {n} in one m-line and {number} in another",
                    meaning.0, meaning.1
                ));
            }
            by_pt.insert(number, meaning.clone());
            by_meaning.insert(meaning, number);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(lines: &[&str]) -> String {
        let mut s = String::from("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
        for l in lines {
            s.push_str(l);
            s.push_str("\r\n");
        }
        s
    }

    const CHROMIUM_AUDIO: [&str; 3] = [
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 63",
        "a=rtpmap:111 opus/48000/2",
        "a=rtpmap:63 red/48000/2",
    ];

    #[test]
    fn one_numbering_throughout_is_fine() {
        let sdp = offer(&[&CHROMIUM_AUDIO[..], &CHROMIUM_AUDIO[..]].concat());
        assert_eq!(check_numbering(&sdp), Ok(()));
    }

    #[test]
    fn a_number_meaning_two_codecs_is_refused() {
        let sdp = offer(&[
            "m=video 9 UDP/TLS/RTP/SAVPF 96",
            "a=rtpmap:96 VP8/90000",
            "m=video 9 UDP/TLS/RTP/SAVPF 96",
            "a=rtpmap:96 H264/90000",
            "a=fmtp:96 profile-level-id=42e01f;packetization-mode=1",
        ]);
        let err = check_numbering(&sdp).unwrap_err();
        assert!(err.contains("96 means video vp8/90000"), "{err}");
    }

    #[test]
    fn a_codec_renumbered_between_m_lines_is_refused() {
        let sdp = offer(&[
            "m=audio 9 UDP/TLS/RTP/SAVPF 111",
            "a=rtpmap:111 opus/48000/2",
            "m=audio 9 UDP/TLS/RTP/SAVPF 109",
            "a=rtpmap:109 opus/48000/2",
        ]);
        let err = check_numbering(&sdp).unwrap_err();
        assert!(err.contains("numbered 111"), "{err}");
    }

    #[test]
    fn a_number_used_for_audio_and_video_is_refused() {
        let sdp = offer(&[
            "m=audio 9 UDP/TLS/RTP/SAVPF 96",
            "a=rtpmap:96 opus/48000/2",
            "m=video 9 UDP/TLS/RTP/SAVPF 96",
            "a=rtpmap:96 VP8/90000",
        ]);
        let err = check_numbering(&sdp).unwrap_err();
        assert!(
            err.contains("audio opus/48000/2 in one m-line and video"),
            "{err}"
        );
    }

    #[test]
    fn a_number_listed_twice_is_refused() {
        let sdp = offer(&["m=video 9 UDP/TLS/RTP/SAVPF 96 96", "a=rtpmap:96 VP8/90000"]);
        assert!(check_numbering(&sdp).unwrap_err().contains("listed twice"));
    }

    #[test]
    fn h264_keyframes_start_at_the_parameter_sets() {
        // STAP-A holding an SPS (type 7) and a PPS (type 8).
        let stap = [24, 0, 2, 0x67, 0x42, 0, 2, 0x68, 0xce];
        assert!(starts_keyframe(Codec::H264, &stap));
        // An FU-A start fragment of an IDR, and one of a plain slice.
        assert!(starts_keyframe(Codec::H264, &[28, 0x85, 0]));
        assert!(!starts_keyframe(Codec::H264, &[28, 0x81, 0]));
        assert!(!starts_keyframe(Codec::Opus, &stap));
    }
}
