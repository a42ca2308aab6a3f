import type { Platform } from '../../domain/rooms';
import type { Room } from '../db/schema';
import type { RolloutFlags } from './flags';

/**
 * The room's place in the rollout, 0 to 99: FNV-1a of its id. Stable, so a room in the
 * percentage stays in it as the percentage rises.
 */
export function rolloutBucket(roomId: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(roomId)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 100;
}

/** The platform of a room's next meeting (SPEC §3). */
export function choosePlatform(room: Pick<Room, 'id' | 'name' | 'platform' | 'userId'>, flags: RolloutFlags): Platform {
  if (!flags.DAILY_MIGRATION_ENABLED) return 'whereby';
  const listed =
    flags.DAILY_MIGRATION_ROOM_IDS.includes(room.id) ||
    flags.DAILY_MIGRATION_ROOM_IDS.includes(room.name) ||
    flags.DAILY_MIGRATION_USER_IDS.includes(room.userId);
  if (listed || rolloutBucket(room.id) < flags.DAILY_MIGRATION_PERCENT) return 'daily';
  return room.platform;
}
