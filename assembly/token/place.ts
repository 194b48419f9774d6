import { rowStart, rowEnd } from "../rows";

// placeScores (spec token.md §2): out[i, p_i] = s_i, +0 everywhere else. p_i is the row's last
// valid position, or positions[i] (row-local) when `positions` != 0. An empty row (no valid
// position) gets no score. The caller validated explicit positions and the empty-row policy.
export function place_scores_f32(s: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, positions: usize, out: usize): void {
  for (let i = 0; i < B; i++) {
    const a = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    memory.fill(out + (<usize>a << 2), 0, <usize>(e - a) << 2);
    let p = -1;
    if (positions) p = a + load<i32>(positions + (<usize>i << 2));
    else if (lens) { const L = load<i32>(lens + (<usize>i << 2)); if (L > 0) p = a + L - 1; }
    else if (mask) { for (let t = e - 1; t >= a; t--) if (load<u8>(mask + <usize>t)) { p = t; break; } }
    else if (e > a) p = e - 1;
    if (p >= 0) store<f32>(out + (<usize>p << 2), load<f32>(s + (<usize>i << 2)) + 0);
  }
}
