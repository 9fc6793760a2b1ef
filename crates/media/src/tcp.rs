//! RFC 4571 framing for ICE-TCP: over a TCP connection every STUN, DTLS, RTP or RTCP
//! packet is preceded by its length as a 16-bit big-endian number. Sans-IO: bytes in,
//! whole packets out; the I/O loop owns the socket.

/// Largest packet a frame can carry (the length prefix is 16 bits).
pub const MAX_FRAME: usize = u16::MAX as usize;

/// Reassembles packets from a TCP byte stream that arrives in arbitrary pieces.
#[derive(Debug, Default)]
pub struct Deframer {
    buf: Vec<u8>,
}

impl Deframer {
    /// Appends received bytes and returns every packet now complete, in order. At most
    /// one partial frame (under 64 KiB) stays buffered.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        self.buf.extend_from_slice(bytes);
        let mut packets = Vec::new();
        let mut at = 0;
        while let Some(header) = self.buf.get(at..at + 2) {
            let len = usize::from(u16::from_be_bytes([header[0], header[1]]));
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
        packets
    }
}

/// Why a packet cannot be framed.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("a {0}-byte packet does not fit an RFC 4571 frame")]
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
        let mut d = Deframer::default();
        // Byte by byte: nothing until a frame is complete.
        let mut got = Vec::new();
        for byte in &stream[..a.len() - 1] {
            got.extend(d.push(std::slice::from_ref(byte)));
        }
        assert!(got.is_empty());
        got.extend(d.push(&stream[a.len() - 1..]));
        assert_eq!(got, vec![b"stun binding".to_vec(), vec![7u8; 1200]]);
        assert!(d.push(&[]).is_empty(), "nothing left over");
    }

    #[test]
    fn empty_frames_are_skipped_and_oversized_packets_refused() {
        let mut d = Deframer::default();
        assert_eq!(d.push(&[0, 0, 0, 1, 42]), vec![vec![42]]);
        assert_eq!(frame(&vec![0; MAX_FRAME + 1]), Err(TooLarge(MAX_FRAME + 1)));
        assert_eq!(frame(&vec![0; MAX_FRAME]).unwrap().len(), MAX_FRAME + 2);
    }
}
