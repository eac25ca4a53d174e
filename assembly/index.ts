// Entry point of the wasm module built into build/ring.wasm (`npm run build:wasm`).
//
// Module-level contract (checked by test/ring.test.ts):
// - The module imports its linear memory as `env.memory`: that memory IS guest physical RAM
//   (src/mm/physmem.ts), so wasm address P is physical address P.
// - It never grows the memory and owns nothing at or above RESERVED_BYTES (1 MiB): there are
//   no heap objects (runtime stub, nothing allocated), no shadow stack (stackSize 0), and any
//   static data would be placed from memoryBase (1024) upwards, far below 1 MiB.
// - Every export takes and returns plain i32/u32 values (physical offsets, lengths).
export * from "./ring";
