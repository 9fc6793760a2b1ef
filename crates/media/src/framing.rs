//! RFC 4571 framing for ICE-TCP: over a TCP connection every STUN, DTLS, RTP or RTCP
//! packet is preceded by its length as a 16-bit big-endian number. Sans-IO: bytes in,
//! whole packets out; the I/O loop owns the socket.

/// Largest packet a frame can carry (the length prefix is 16 bits).
pub const MAX_FRAME: usize = u16::MAX as usize;

/// Reassembles packets from a TCP byte stream that arrives in arbitrary pieces, refusing
/// frames larger than a limit: no WebRTC packet comes near 64 KiB, so a peer that announces
/// one is not a WebRTC peer, and the connection should end.
#[derive(Debug)]
pub struct Deframer {
    max: usize,
    buf: Vec<u8>,
}

impl Deframer {
    /// A deframer that refuses frames over `max` bytes.
    pub fn new(max: usize) -> Self {
        Self {
            max,
            buf: Vec::new(),
        }
    }

    /// Appends received bytes and returns every packet now complete, in order, or the
    /// first frame that is too large (as soon as its length is read). At most one partial
    /// frame (up to the limit) stays buffered besides what one call appends.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<Vec<u8>>, TooLarge> {
        self.buf.extend_from_slice(bytes);
        let mut packets = Vec::new();
        let mut at = 0;
        while let Some(header) = self.buf.get(at..at + 2) {
            let len = usize::from(u16::from_be_bytes([header[0], header[1]]));
            if len > self.max {
                return Err(TooLarge(len));
            }
            let Some(packet) = self.buf.get(at + 2..at + 2 + len) else {
                break;
            };
            // An empty frame carries nothing; skip it rather than hand str0m an empty packet.
            if len > 0 {
                packets.push(packet.to_vec());
            }
            at += 2 + len;
        }
        self.buf.drain(..at);
        Ok(packets)
    }
}

/// Why a packet cannot be framed, or a frame was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("a {0}-byte packet is over the frame limit")]
pub struct TooLarge(pub usize);

/// The packet with its length prefix, ready to write to the connection.
pub fn frame(packet: &[u8]) -> Result<Vec<u8>, TooLarge> {
    let len = u16::try_from(packet.len()).map_err(|_| TooLarge(packet.len()))?;
    let mut out = Vec::with_capacity(packet.len() + 2);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(packet);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_split_across_reads_and_packed_into_one_come_out_whole() {
        let a = frame(b"stun binding").unwrap();
        let b = frame(&[7u8; 1200]).unwrap();
        let stream: Vec<u8> = a.iter().chain(&b).copied().collect();
        let mut d = Deframer::new(1500);
        // Byte by byte: nothing until a frame is complete.
        let mut got = Vec::new();
        for byte in &stream[..a.len() - 1] {
            got.extend(d.push(std::slice::from_ref(byte)).unwrap());
        }
        assert!(got.is_empty());
        got.extend(d.push(&stream[a.len() - 1..]).unwrap());
        assert_eq!(got, vec![b"stun binding".to_vec(), vec![7u8; 1200]]);
        assert!(d.push(&[]).unwrap().is_empty(), "nothing left over");
    }

    #[test]
    fn empty_frames_are_skipped_and_oversized_packets_refused() {
        let mut d = Deframer::new(1500);
        assert_eq!(d.push(&[0, 0, 0, 1, 42]), Ok(vec![vec![42]]));
        assert_eq!(frame(&vec![0; MAX_FRAME + 1]), Err(TooLarge(MAX_FRAME + 1)));
        assert_eq!(frame(&vec![0; MAX_FRAME]).unwrap().len(), MAX_FRAME + 2);
    }

    #[test]
    fn a_frame_over_the_limit_is_refused_as_soon_as_its_length_arrives() {
        let mut d = Deframer::new(1500);
        // The packets before it still come out of an earlier read.
        assert_eq!(d.push(&frame(&[1; 1500]).unwrap()), Ok(vec![vec![1; 1500]]));
        // Only the header of 1501 bytes: refused without waiting for the body.
        assert_eq!(d.push(&1501u16.to_be_bytes()), Err(TooLarge(1501)));
    }

    #[test]
    fn garbage_never_panics_and_never_buffers_more_than_a_frame() {
        // Every possible header over random-ish bytes: either refused, or whole packets.
        let mut seed = 0x2545_f491_u32;
        for _ in 0..2000 {
            let mut d = Deframer::new(1500);
            let mut bytes = vec![0u8; 4096];
            for b in &mut bytes {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                *b = seed as u8;
            }
            for chunk in bytes.chunks(97) {
                match d.push(chunk) {
                    Ok(packets) => assert!(packets.iter().all(|p| p.len() <= 1500)),
                    Err(TooLarge(n)) => {
                        assert!(n > 1500);
                        break;
                    }
                }
                assert!(d.buf.len() < 1502 + 97);
            }
        }
    }
}
