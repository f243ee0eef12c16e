/**
 * Union of cells of one planar subdivision (e.g. Voronoi cells) by cancelling shared edges: an
 * edge u→v of one cell and v→u of its neighbour are interior to the union, every edge left over
 * is boundary, and chaining the leftovers gives the rings. Pure topology on vertex ids — no
 * floating-point intersection — so it cannot fail the way general boolean operations on
 * nearly-coincident coordinates can, and the union's vertices are bit-identical to the cells'.
 * Requires cells that share an edge to list the same two vertex ids (true for a Voronoi
 * diagram) and all cells wound the same way.
 */

/** Rings of vertex ids (open: first id not repeated), outer ring first, holes after. */
export type IdPolygon = number[][];

function signedArea2(ring: readonly number[], xy: Float64Array): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[j]!, b = ring[i]!;
    s += xy[2 * a]! * xy[2 * b + 1]! - xy[2 * b]! * xy[2 * a + 1]!;
  }
  return s;
}

function ringContains(ring: readonly number[], xy: Float64Array, x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    let ax = xy[2 * ring[j]!]!, ay = xy[2 * ring[j]! + 1]!, bx = xy[2 * ring[i]!]!, by = xy[2 * ring[i]! + 1]!;
    if (ay > by) { [ax, bx] = [bx, ax]; [ay, by] = [by, ay]; }
    if (y >= ay && y < by && (bx - ax) * (y - ay) - (by - ay) * (x - ax) > 0) inside = !inside;
  }
  return inside;
}

/**
 * Merges `cells` (open rings of vertex ids into `xy` = x0, y0, x1, y1, …) into polygons. Throws
 * if the leftover edges do not chain into closed rings (cells not from one subdivision).
 */
export function mergeCells(cells: readonly (readonly number[])[], xy: Float64Array): IdPolygon[] {
  const vertexCount = xy.length / 2;
  const edges = new Map<number, number>(); // key u * vertexCount + v → v
  for (const cell of cells) {
    for (let i = 0; i < cell.length; i++) {
      const u = cell[i]!, v = cell[(i + 1) % cell.length]!;
      if (u === v) continue;
      const reverse = v * vertexCount + u;
      if (edges.has(reverse)) edges.delete(reverse);
      else edges.set(u * vertexCount + v, v);
    }
  }
  const outgoing = new Map<number, number[]>();
  for (const [key, v] of edges) {
    const u = (key - v) / vertexCount;
    const list = outgoing.get(u);
    if (list) list.push(v);
    else outgoing.set(u, [v]);
  }
  const rings: number[][] = [];
  for (const start of outgoing.keys()) {
    while ((outgoing.get(start)?.length ?? 0) > 0) {
      const ring: number[] = [];
      let u = start;
      for (;;) {
        const list = outgoing.get(u);
        const v = list?.shift();
        if (v === undefined) throw new Error('cell edges do not form closed rings');
        ring.push(u);
        u = v;
        if (u === start) break;
      }
      rings.push(ring);
    }
  }
  // Outer rings keep the cells' winding; holes run the other way.
  const cellSign = cells.length > 0 ? Math.sign(signedArea2(cells[0]!, xy)) : 1;
  const outers: { ring: number[]; area: number; holes: number[][] }[] = [];
  const holes: number[][] = [];
  for (const ring of rings) {
    const a = signedArea2(ring, xy);
    if (Math.sign(a) === cellSign) outers.push({ ring, area: Math.abs(a), holes: [] });
    else holes.push(ring);
  }
  for (const hole of holes) {
    const x = xy[2 * hole[0]!]!, y = xy[2 * hole[0]! + 1]!;
    // The tightest outer ring around the hole owns it (islands inside holes have their own).
    let owner: (typeof outers)[number] | undefined;
    for (const o of outers) {
      if ((!owner || o.area < owner.area) && ringContains(o.ring, xy, x, y)) owner = o;
    }
    (owner ?? outers[0])?.holes.push(hole);
  }
  return outers.map((o) => [o.ring, ...o.holes]);
}
