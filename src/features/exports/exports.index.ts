import { createRouter } from "../../app";
import { ApiError } from "../../platform/errors";
import * as routes from "./exports.routes";
import { partKey, verifyPartUrl } from "./files";
import { createExport, exportJson, findExport, unfinishedExportOf } from "./request";

const origin = (url: string) => new URL(url).origin;

/** `POST /admin/v1/exports`, `GET /admin/v1/exports/{id}` (behind ADMIN_TOKEN). */
export const adminExportsRouter = createRouter()
  .openapi(routes.createExport, async (c) => {
    const row = await createExport(c.env, c.get("db"), c.req.valid("json"), "admin");
    return c.json(await exportJson(c.env, origin(c.req.url), row), 202);
  })
  .openapi(routes.getExport, async (c) => {
    const row = await findExport(c.get("db"), c.req.valid("param").exportID);
    return c.json(await exportJson(c.env, origin(c.req.url), row), 200);
  });

/** The caller's own export under `/v1` (a user token). */
export const selfExportsRouter = createRouter()
  .openapi(routes.exportMe, async (c) => {
    const userId = c.get("user").id;
    const db = c.get("db");
    const row = (await unfinishedExportOf(db, userId)) ?? (await createExport(c.env, db, { user_id: userId }, userId));
    return c.json(await exportJson(c.env, origin(c.req.url), row), 202);
  })
  .openapi(routes.getMyExport, async (c) => {
    const row = await findExport(c.get("db"), c.req.valid("param").exportID, c.get("user").id);
    return c.json(await exportJson(c.env, origin(c.req.url), row), 200);
  });

/** Signed part downloads: the signature is the authentication, so this is mounted outside `/v1` auth. */
export const exportFilesRouter = createRouter().openapi(routes.downloadPart, async (c) => {
  const { exportID, part } = c.req.valid("param");
  const { exp, sig } = c.req.valid("query");
  const n = /^\d{1,6}$/.test(part) ? Number(part) : NaN;
  const expires = exp && /^\d{1,12}$/.test(exp) ? Number(exp) : NaN;
  if (!(n >= 1) || !(await verifyPartUrl(c.env, exportID, n, expires, sig))) throw new ApiError("FILE_SIGNATURE_INVALID", "This link is invalid or has expired");
  const object = await c.env.ATTACHMENTS.get(partKey(exportID, n));
  if (!object) throw new ApiError("NOT_FOUND", "This export part no longer exists");
  return c.body(object.body, 200, {
    "Content-Type": "application/x-ndjson",
    "Content-Length": String(object.size),
    "Content-Disposition": `attachment; filename="export-${exportID}-part-${n}.ndjson"`,
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
  }) as never;
});
