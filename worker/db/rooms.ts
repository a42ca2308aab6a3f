import { and, count, desc, eq, or } from 'drizzle-orm';
import { type Database, isUniqueViolation } from './client';
import { type Meeting, meetings, type Room, rooms } from './schema';

type NewRoom = typeof rooms.$inferInsert;
type RoomChanges = Partial<Omit<Room, 'id' | 'userId' | 'createdAt'>>;

export const findRoomById = async (db: Database, id: string) =>
  (await db.select().from(rooms).where(eq(rooms.id, id)).limit(1))[0];

export const findRoomByName = async (db: Database, name: string) =>
  (await db.select().from(rooms).where(eq(rooms.name, name)).limit(1))[0];

/** The room and its active meeting in one query: the join path's only read when a meeting exists. */
export async function findRoomWithActiveMeeting(
  db: Database,
  name: string,
): Promise<{ room: Room; meeting: Meeting | null } | undefined> {
  const [row] = await db
    .select({ room: rooms, meeting: meetings })
    .from(rooms)
    .leftJoin(meetings, and(eq(meetings.roomId, rooms.id), eq(meetings.isActive, true)))
    .where(eq(rooms.name, name))
    .limit(1);
  return row;
}

/** A user's own rooms and the shared ones, newest first. */
export async function listVisibleRooms(db: Database, userId: string, page: number, size: number) {
  const visible = or(eq(rooms.userId, userId), eq(rooms.isShared, true));
  const [items, [total]] = await Promise.all([
    db
      .select()
      .from(rooms)
      .where(visible)
      .orderBy(desc(rooms.createdAt), desc(rooms.id))
      .limit(size)
      .offset((page - 1) * size),
    db.select({ total: count() }).from(rooms).where(visible),
  ]);
  return { items, total: total?.total ?? 0 };
}

/** Inserts the room; undefined when the name is taken (the unique index decides, not a read). */
export async function insertRoom(db: Database, room: NewRoom): Promise<Room | undefined> {
  const [created] = await db.insert(rooms).values(room).onConflictDoNothing({ target: rooms.name }).returning();
  return created;
}

/** Updates the room; undefined when a new name is taken. */
export async function updateRoom(db: Database, id: string, changes: RoomChanges): Promise<Room | undefined> {
  try {
    const [updated] = await db.update(rooms).set(changes).where(eq(rooms.id, id)).returning();
    return updated;
  } catch (error) {
    if (isUniqueViolation(error, 'rooms.name')) return undefined;
    throw error;
  }
}

export const deleteRoom = (db: Database, id: string) => db.delete(rooms).where(eq(rooms.id, id));
