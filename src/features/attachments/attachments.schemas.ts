import { z } from "@hono/zod-openapi";
import type { StoredAttachment } from "../../db/schema";
import { Snowflake } from "../../platform/schemas";
import { MAX_SIGNED_UPLOAD } from "./limits";

/** An upload as the API shows it, and as a message carries it (filled in by the server, never the client). */
export const Attachment = z
  .object({
    asset_id: Snowflake,
    filename: z.string().openapi({ example: "site-plan.png", description: "Without any path, control characters or invisible bidi/zero-width characters, at most 255 characters" }),
    content_type: z.string().openapi({ example: "image/png", description: "Decided by the bytes for images; a claimed image that is not one is application/octet-stream" }),
    size_bytes: z.number().int().openapi({ example: 482133 }),
    width: z.number().int().optional().openapi({ example: 1600, description: "Images only" }),
    height: z.number().int().optional().openapi({ example: 1200, description: "Images only" }),
  })
  .openapi("Attachment") satisfies z.ZodType<StoredAttachment>;

/**
 * Invisible characters that change how a name reads: bidi embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069), the directional marks (U+200E, U+200F, U+061C) and zero-width
 * characters (U+200B–U+200D, U+2060, U+FEFF). U+202E alone makes `report\u202Egnp.exe` show as
 * `reportexe.png`: a name must read as what it is.
 */
const INVISIBLE = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060\ufeff]/g;

/** A filename as shown to people: no path, no control or invisible characters, at most 255 characters. */
export function cleanFilename(raw: string | null | undefined): string {
  let name = raw ?? "";
  try {
    name = decodeURIComponent(name);
  } catch {}
  name = name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f"]/g, "").replace(INVISIBLE, "").trim();
  name = [...name].slice(0, 255).join("");
  // "." and ".." name directories, not files: never store them as a name someone may save to disk.
  return name === "" || /^\.+$/.test(name) ? "file" : name;
}

/** A MIME type we are willing to store and serve back (type/subtype, no parameters kept). */
export function cleanContentType(raw: string | null | undefined): string {
  const essence = (raw ?? "").split(";")[0]!.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64}$/.test(essence) ? essence : "application/octet-stream";
}

export const CreateUploadBody = z
  .object({
    filename: z.string().min(1).max(255).openapi({ example: "quarterly-report.pdf" }),
    content_type: z.string().max(200).default("application/octet-stream").openapi({ example: "application/pdf" }),
    size_bytes: z.number().int().positive().openapi({ example: 48213377, description: "Exactly the bytes you will PUT (at most 100 MiB)" }),
  })
  .openapi("CreateUpload");

export const UploadTicket = z
  .object({
    asset_id: Snowflake,
    upload_url: z.string().openapi({
      example: "https://chat.example.com/uploads/1234567890123456789?exp=1735733100&sig=Jx3vq0n7bQ2WJH8cYt1k1C6r4oVn3P7m5s0u2a9dE1w",
      description: "PUT the bytes here once, without an Authorization header: the signature is the credential",
    }),
    expires_at: z.number().int().openapi({ example: 1735733100, description: "Unix seconds: 5 minutes from now" }),
    max_size_bytes: z.literal(MAX_SIGNED_UPLOAD),
  })
  .openapi("UploadTicket");

export const AttachmentUrlQuery = z.object({
  size: z.enum(["full", "1600", "512", "256", "128"]).default("full").openapi({ description: "full: the original; a number: a WebP thumbnail of an image with that longest edge (never upscaled)" }),
});
