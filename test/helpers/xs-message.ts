/** A message to an XS test worker's handler: one opcode byte, three spare bytes, then the payload. */
export function xsMessage(op: string, payload: ArrayBufferView): Uint8Array {
  const out = new Uint8Array(4 + payload.byteLength);
  out[0] = op.charCodeAt(0);
  out.set(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength), 4);
  return out;
}
