// Image bytes: what type they really are, and how to decode them from a Lambda event.
import { BadRequestError, PayloadTooLargeError } from "./errors";

/** The content types the model accepts and the handler forwards. */
export type ImageType = "image/jpeg" | "image/png";

/** Image bytes with the type their content proved, ready for the endpoint. */
export interface Image {
  readonly bytes: Buffer;
  readonly contentType: ImageType;
}

// JPEG starts with an SOI marker followed by another marker (FF D8 FF); PNG with its 8-byte
// signature. https://www.w3.org/TR/png-3/#5PNG-file-signature
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The type the bytes' magic number proves, or undefined when they are neither JPEG nor PNG. */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return "image/jpeg";
  }
  if (bytes.length >= 8 && PNG_SIGNATURE.equals(bytes.subarray(0, 8))) return "image/png";
  return undefined;
}

/**
 * Decodes a base64 body as Lambda delivers it (standard alphabet, padded), refusing anything
 * larger than `maxBytes` before allocating it. Node's decoder skips characters outside the
 * alphabet instead of failing, so a body with any of them decodes short and is refused; checking
 * the length costs nothing, where re-encoding to compare would double the work on a large image.
 */
export function decodeBase64Body(text: string, maxBytes: number): Buffer {
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const expected = (text.length / 4) * 3 - padding;
  if (expected > maxBytes) {
    throw new PayloadTooLargeError(`the image is larger than ${maxBytes} bytes`);
  }
  const bytes = text.length % 4 === 0 ? Buffer.from(text, "base64") : undefined;
  if (!bytes || bytes.length !== expected)
    throw new BadRequestError("the body is not valid base64");
  return bytes;
}
