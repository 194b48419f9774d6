// GUI-G² Gaussian rewards for boxes x1,y1,x2,y2 (docs/shapers.md#guig2reward), f64 per row:
// point = the ground truth's Gaussian at the predicted centre; coverage = the Bhattacharyya
// coefficient of the two Gaussians (sigma = alpha * size); total = nu*point + gammaCov*coverage.
// Ground-truth boxes have positive width and height (checked by the caller). Returns the first row
// whose total is not finite in f32, or -1.
export function guig2_f32(pred: usize, gt: usize, B: i32, alpha: f64, nu: f64, gammaCov: f64, eps: f64,
  point: usize, coverage: usize, total: usize): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    const p = pred + (<usize>i << 4), g = gt + (<usize>i << 4);
    const px1 = <f64>load<f32>(p), py1 = <f64>load<f32>(p, 4), px2 = <f64>load<f32>(p, 8), py2 = <f64>load<f32>(p, 12);
    const gx1 = <f64>load<f32>(g), gy1 = <f64>load<f32>(g, 4), gx2 = <f64>load<f32>(g, 8), gy2 = <f64>load<f32>(g, 12);
    const dx = (px1 + px2) / 2 - (gx1 + gx2) / 2, dy = (py1 + py2) / 2 - (gy1 + gy2) / 2;
    const spx = alpha * (px2 - px1), spy = alpha * (py2 - py1), sgx = alpha * (gx2 - gx1), sgy = alpha * (gy2 - gy1);
    const pt = Math.exp(-0.5 * (dx * dx / (sgx * sgx) + dy * dy / (sgy * sgy)));
    const sx = (spx * spx + sgx * sgx) / 2, sy = (spy * spy + sgy * sgy) / 2;
    const t1 = 0.125 * (dx * dx / (sx + eps) + dy * dy / (sy + eps));
    const t2 = 0.5 * Math.log(sx * sy / Math.sqrt(spx * spx * spy * spy * sgx * sgx * sgy * sgy + eps));
    const cov = Math.exp(-(t1 + t2));
    const tot = <f32>(nu * pt + gammaCov * cov) + 0;
    if (bad < 0 && !(isFinite<f32>(tot) && isFinite<f32>(<f32>cov))) bad = i;
    store<f32>(point + (<usize>i << 2), <f32>pt + 0);
    store<f32>(coverage + (<usize>i << 2), <f32>cov + 0);
    store<f32>(total + (<usize>i << 2), tot);
  }
  return bad;
}

// The first ground-truth coordinate that breaks a box (x1, y1, x2, y2), in row order: 4i + 2 when
// x2 > x1 fails, else 4i + 3 when y2 > y1 fails; -1 when every box has positive width and height.
// Both coordinates of one box at once in the SIMD build (a box is one v128).
export function first_bad_box_f32(gt: usize, B: i32): i32 {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i < B; i++) {
      const v = v128.load(gt + (<usize>i << 4));
      // (x2, y2) > (x1, y1) in lanes 0, 1
      const ok = f32x4.gt(v128.shuffle<f32>(v, v, 2, 3, 2, 3), v);
      if ((i32x4.bitmask(ok) & 3) != 3) break;
    }
  }
  for (; i < B; i++) {
    const g = gt + (<usize>i << 4);
    if (!(load<f32>(g, 8) > load<f32>(g))) return 4 * i + 2;
    if (!(load<f32>(g, 12) > load<f32>(g, 4))) return 4 * i + 3;
  }
  return -1;
}
