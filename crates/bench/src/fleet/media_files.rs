//! The bots' test media: real Opus and VP8 encoded once by ffmpeg into a cache directory,
//! read back into memory (Ogg pages → Opus packets, IVF → VP8 frames) and cut into RTP
//! payloads the way a browser would. Not a decoder: the bots never look inside a frame
//! beyond the VP8 payload header bit that says "keyframe".

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{bail, Context};

/// One encoded VP8 stream (a simulcast layer or a screen), frame by frame.
#[derive(Debug)]
pub struct VideoClip {
    pub frames: Vec<Vec<u8>>,
    pub fps: u32,
}

/// Everything the bots replay.
#[derive(Debug)]
pub struct MediaSet {
    /// 20 ms Opus packets, 48 kHz.
    pub opus: Vec<Vec<u8>>,
    /// Camera simulcast layers, smallest first (320×180, 640×360, 1280×720).
    pub camera: [VideoClip; 3],
    /// A screen share: 1280×720, few changes, low frame rate.
    pub screen: VideoClip,
}

/// Camera layer heights, smallest first (the browser's `scaleResolutionDownBy` 4, 2, 1).
pub const CAMERA_HEIGHTS: [u32; 3] = [180, 360, 720];
const CAMERA_KBPS: [u32; 3] = [150, 500, 1500];
const CLIP_SECONDS: u32 = 20;
const CAMERA_FPS: u32 = 30;
const SCREEN_FPS: u32 = 5;

/// Loads the media from `dir`, encoding what is missing with ffmpeg first (installing
/// Debian's `ffmpeg` if it is not there).
pub fn load(dir: &Path) -> anyhow::Result<MediaSet> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let opus_path = dir.join("talk.opus.ogg");
    let camera_paths: Vec<PathBuf> = CAMERA_HEIGHTS
        .iter()
        .map(|h| dir.join(format!("camera-{h}.ivf")))
        .collect();
    let screen_path = dir.join("screen.ivf");
    let all = [&opus_path, &screen_path]
        .into_iter()
        .chain(camera_paths.iter());
    if all.clone().any(|p| !p.exists()) {
        ensure_ffmpeg()?;
        encode_opus(&opus_path)?;
        for ((path, h), kbps) in camera_paths.iter().zip(CAMERA_HEIGHTS).zip(CAMERA_KBPS) {
            encode_vp8(
                path,
                &format!("testsrc2=size={}x{h}:rate={CAMERA_FPS}", h * 16 / 9),
                kbps,
                CAMERA_FPS,
            )?;
        }
        // A slide-like picture: mostly still, a counter changing once a second.
        encode_vp8(
            &screen_path,
            &format!("testsrc=size=1280x720:rate={SCREEN_FPS}"),
            300,
            SCREEN_FPS,
        )?;
    }
    let opus = ogg_packets(&std::fs::read(&opus_path)?)?
        .into_iter()
        // OpusHead and OpusTags come first (RFC 7845): not audio.
        .skip(2)
        .collect();
    let clip = |p: &Path, fps| -> anyhow::Result<VideoClip> {
        Ok(VideoClip {
            frames: ivf_frames(&std::fs::read(p)?).with_context(|| p.display().to_string())?,
            fps,
        })
    };
    Ok(MediaSet {
        opus,
        camera: [
            clip(&camera_paths[0], CAMERA_FPS)?,
            clip(&camera_paths[1], CAMERA_FPS)?,
            clip(&camera_paths[2], CAMERA_FPS)?,
        ],
        screen: clip(&screen_path, SCREEN_FPS)?,
    })
}

fn ensure_ffmpeg() -> anyhow::Result<()> {
    if Command::new("ffmpeg").arg("-version").output().is_ok() {
        return Ok(());
    }
    eprintln!("ffmpeg is missing: apt-get install -y ffmpeg");
    let status = Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "ffmpeg"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .context("running apt-get")?;
    if !status.success() {
        bail!("apt-get install ffmpeg failed: {status}");
    }
    Ok(())
}

fn ffmpeg(args: &[&str]) -> anyhow::Result<()> {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .context("running ffmpeg")?;
    if !out.status.success() {
        bail!(
            "ffmpeg {:?} failed: {}",
            args,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// Speech-like enough for an encoder: a tone over pink noise, never silent, so no two
/// 20 ms packets of one pass through the clip are identical (the latency match relies on it).
fn encode_opus(path: &Path) -> anyhow::Result<()> {
    let seconds = CLIP_SECONDS.to_string();
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=220:sample_rate=48000",
        "-f",
        "lavfi",
        "-i",
        "anoisesrc=color=pink:amplitude=0.1:sample_rate=48000",
        "-filter_complex",
        "amix=inputs=2",
        "-t",
        &seconds,
        "-c:a",
        "libopus",
        "-b:a",
        "32k",
        "-frame_duration",
        "20",
        "-application",
        "voip",
        path.to_str().context("path")?,
    ])
}

/// Real-time VP8 as a browser makes it: no alt-ref frames, no lag, a keyframe every 3 s.
fn encode_vp8(path: &Path, source: &str, kbps: u32, fps: u32) -> anyhow::Result<()> {
    let (seconds, rate, gop) = (
        CLIP_SECONDS.to_string(),
        format!("{kbps}k"),
        (fps * 3).to_string(),
    );
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        source,
        "-t",
        &seconds,
        "-c:v",
        "libvpx",
        "-b:v",
        &rate,
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-auto-alt-ref",
        "0",
        "-lag-in-frames",
        "0",
        "-g",
        &gop,
        "-f",
        "ivf",
        path.to_str().context("path")?,
    ])
}

/// The packets of an Ogg stream (RFC 3533), in order; one logical stream assumed.
pub fn ogg_packets(mut data: &[u8]) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut packets = Vec::new();
    let mut current = Vec::new();
    while !data.is_empty() {
        if data.len() < 27 || &data[..4] != b"OggS" {
            bail!("not an Ogg page");
        }
        let segments = data[26] as usize;
        let table = data.get(27..27 + segments).context("truncated page")?;
        let mut body = &data[27 + segments..];
        for &lacing in table {
            let len = lacing as usize;
            current.extend_from_slice(body.get(..len).context("truncated segment")?);
            body = &body[len..];
            // A segment shorter than 255 ends its packet; 255 continues it.
            if lacing < 255 {
                packets.push(std::mem::take(&mut current));
            }
        }
        let page_len = 27 + segments + table.iter().map(|&l| l as usize).sum::<usize>();
        data = &data[page_len..];
    }
    Ok(packets)
}

/// The frames of an IVF file (the container ffmpeg writes VP8 into).
pub fn ivf_frames(data: &[u8]) -> anyhow::Result<Vec<Vec<u8>>> {
    if data.len() < 32 || &data[..4] != b"DKIF" {
        bail!("not an IVF file");
    }
    let header_len = u16::from_le_bytes([data[6], data[7]]) as usize;
    let mut rest = data.get(header_len..).context("truncated header")?;
    let mut frames = Vec::new();
    while rest.len() >= 12 {
        let size = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
        frames.push(rest.get(12..12 + size).context("truncated frame")?.to_vec());
        rest = &rest[12 + size..];
    }
    Ok(frames)
}

/// Largest VP8 payload per RTP packet: what fits a 1200-byte datagram with headers and
/// SRTP overhead, as browsers do.
pub const MAX_VP8_CHUNK: usize = 1100;

/// Cuts one VP8 frame into RTP payloads (RFC 7741) with a 15-bit picture id, as browsers
/// send them; the last one carries the RTP marker bit.
pub fn vp8_payloads(frame: &[u8], picture_id: u16) -> Vec<Vec<u8>> {
    let pid = picture_id & 0x7fff;
    frame
        .chunks(MAX_VP8_CHUNK)
        .enumerate()
        .map(|(i, chunk)| {
            // X=1, S on the first packet of the frame, partition 0; I=1; M=1 (15-bit id).
            let start = if i == 0 { 0x10 } else { 0 };
            let mut p = Vec::with_capacity(chunk.len() + 4);
            p.extend_from_slice(&[0x80 | start, 0x80, 0x80 | (pid >> 8) as u8, pid as u8]);
            p.extend_from_slice(chunk);
            p
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ogg_page(table: &[u8], body: &[u8]) -> Vec<u8> {
        let mut p = b"OggS".to_vec();
        p.extend_from_slice(&[0; 22]);
        p.push(table.len() as u8);
        p.extend_from_slice(table);
        p.extend_from_slice(body);
        p
    }

    #[test]
    fn ogg_packets_are_joined_across_lacing_and_pages() {
        let big: Vec<u8> = (0..300u32).map(|i| i as u8).collect();
        let mut file = ogg_page(&[3, 255], &[[1, 2, 3].as_slice(), &big[..255]].concat());
        file.extend(ogg_page(&[45, 0], &big[255..]));
        let packets = ogg_packets(&file).unwrap();
        assert_eq!(packets.len(), 3);
        assert_eq!(packets[0], [1, 2, 3]);
        assert_eq!(packets[1], big);
        assert!(packets[2].is_empty());
    }

    #[test]
    fn ogg_rejects_garbage() {
        assert!(ogg_packets(b"RIFF....").is_err());
    }

    #[test]
    fn ivf_frames_follow_the_header() {
        let mut file = b"DKIF".to_vec();
        file.extend_from_slice(&[0, 0, 32, 0]);
        file.extend_from_slice(&[0; 24]);
        for frame in [&[9u8, 8, 7][..], &[6]] {
            file.extend_from_slice(&(frame.len() as u32).to_le_bytes());
            file.extend_from_slice(&[0; 8]);
            file.extend_from_slice(frame);
        }
        assert_eq!(ivf_frames(&file).unwrap(), vec![vec![9, 8, 7], vec![6]]);
    }

    #[test]
    fn vp8_frame_is_cut_with_start_bit_on_first_packet_only() {
        let frame = vec![0xAB; MAX_VP8_CHUNK * 2 + 10];
        let p = vp8_payloads(&frame, 0x1234);
        assert_eq!(p.len(), 3);
        assert_eq!(&p[0][..4], &[0x90, 0x80, 0x92, 0x34]);
        assert_eq!(&p[1][..4], &[0x80, 0x80, 0x92, 0x34]);
        assert_eq!(p[2].len(), 4 + 10);
        let total: usize = p.iter().map(|x| x.len() - 4).sum();
        assert_eq!(total, frame.len());
    }
}
