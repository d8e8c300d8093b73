/**
 * Growing typed-array columns, for the simulator's structures that keep numbers outside the GC
 * heap (the event heap, the trace tail): their elements cost no write barrier and no GC scan.
 */

/** A copy of `a` with twice its length (at least `lengthMin`), the new part zero. */
export function grownFloat64(a: Float64Array<ArrayBuffer>, lengthMin = 0): Float64Array<ArrayBuffer> {
  const b = new Float64Array(Math.max(a.length * 2, lengthMin));
  b.set(a);
  return b;
}

/** A copy of `a` with twice its length (at least `lengthMin`), the new part zero. */
export function grownInt32(a: Int32Array<ArrayBuffer>, lengthMin = 0): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(a.length * 2, lengthMin));
  b.set(a);
  return b;
}
