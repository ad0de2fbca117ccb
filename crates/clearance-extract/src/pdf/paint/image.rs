//! Image darkness, when it is cheap to know: enough to call a pasted picture "black".

use lopdf::{Document, Object, Stream};

use super::super::interp::num;
use super::super::streams;
use super::colour::{space_of, Rgb, Space};

/// Largest decoded image sampled for its darkness.
const MAX_SAMPLED_IMAGE: u64 = 4 << 20;
/// Most image bytes decoded for darkness per page (an image drawn a thousand times is
/// sampled until this runs out, then reported without darkness).
const MAX_SAMPLED_PER_PAGE: u64 = 32 << 20;

/// Mean darkness of a small, simply encoded image; `None` when not cheap to know.
pub(crate) fn darkness(
    doc: &Document,
    stream: &Stream,
    mask: bool,
    fill: Option<Rgb>,
    sampled: &mut u64,
) -> Option<f32> {
    let filters = streams::filters(stream);
    if !filters.iter().all(|f| f == b"FlateDecode" || f == b"Fl") || filters.len() > 1 {
        return None;
    }
    if stream
        .dict
        .get(b"DecodeParms")
        .ok()
        .is_some_and(|p| !matches!(p, Object::Null))
    {
        return None;
    }
    let bpc = stream.dict.get(b"BitsPerComponent").ok().and_then(num);
    if *sampled >= MAX_SAMPLED_PER_PAGE {
        return None;
    }
    let data = match streams::decoded(stream, MAX_SAMPLED_IMAGE) {
        Ok(d) => {
            *sampled += d.len() as u64;
            d
        }
        Err(_) => {
            // A refused bomb still cost up to the cap to find out.
            *sampled += MAX_SAMPLED_IMAGE;
            return None;
        }
    };
    if data.is_empty() {
        return None;
    }
    if mask {
        let width = stream.dict.get(b"Width").ok().and_then(num)?;
        let height = stream.dict.get(b"Height").ok().and_then(num)?;
        let row = (width.max(1.0) as usize).div_ceil(8);
        let total = (width * height).max(1.0);
        let painted: u32 = data
            .iter()
            .take(row * height.max(0.0) as usize)
            .map(|b| (!b).count_ones())
            .sum();
        let share = (f64::from(painted) / total).min(1.0) as f32;
        let dark = 1.0 - fill?.luminance();
        return Some(share * dark);
    }
    if bpc.is_some_and(|b| b as i64 != 8) {
        return None;
    }
    let space = stream
        .dict
        .get(b"ColorSpace")
        .ok()
        .map(|o| space_of(doc, o, 0))?;
    let n = space.components();
    let lums: Vec<f32> = data
        .chunks_exact(n)
        .filter_map(|px| {
            let v: Vec<f32> = px.iter().map(|b| f32::from(*b) / 255.0).collect();
            let v = if let Space::Indexed(..) = space {
                vec![px.first().map_or(0.0, |b| f32::from(*b))]
            } else {
                v
            };
            space.colour(&v).map(|c| c.luminance())
        })
        .collect();
    if lums.is_empty() {
        return None;
    }
    Some(1.0 - lums.iter().sum::<f32>() / lums.len() as f32)
}
