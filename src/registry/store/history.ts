/**
 * @module registry/store/history
 * The registry's audit trail: every stage transition and every alias set, move or removal, with
 * who did it and when. Events are written in the same transaction as the change they describe.
 */
import type { RegistryEvent, RegistryEventKind } from "../entities.js";
import type { RegistryDb } from "./rows.js";

export interface EventInput {
  name: string;
  version: number;
  kind: RegistryEventKind;
  alias?: string;
  from?: string;
  to?: string;
  user: string;
  timestamp: number;
}

export async function recordEvents(db: RegistryDb, events: readonly EventInput[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto("registry_events")
    .values(
      events.map((event) => ({
        name: event.name,
        version: event.version,
        kind: event.kind,
        alias: event.alias ?? null,
        from_value: event.from ?? null,
        to_value: event.to ?? null,
        user_id: event.user,
        timestamp: event.timestamp,
      })),
    )
    .execute();
}

/** A model's events, oldest first, optionally only those of one version. */
export async function loadEvents(db: RegistryDb, name: string, version?: number): Promise<RegistryEvent[]> {
  let query = db.selectFrom("registry_events").selectAll().where("name", "=", name);
  if (version !== undefined) query = query.where("version", "=", version);
  const rows = await query.orderBy("event_id").execute();
  return rows.map((row) => ({
    name: row.name,
    version: String(row.version),
    kind: row.kind as RegistryEventKind,
    ...(row.alias !== null ? { alias: row.alias } : {}),
    ...(row.from_value !== null ? { from: row.from_value } : {}),
    ...(row.to_value !== null ? { to: row.to_value } : {}),
    user: row.user_id,
    timestamp: Number(row.timestamp),
  }));
}
