import { api, type RoomList } from '../api.ts';

// /rooms needs its page's chunk and the first page of rooms: asking for both at once, instead of
// the list only once the chunk has arrived, saves a round trip on a slow network.

/** Rooms per page of the list. */
export const PAGE_SIZE = 20;

let firstPage: Promise<RoomList> | null = null;

export function prefetchRooms(): void {
  firstPage ??= api.listRooms(1, PAGE_SIZE);
  // A failure is the page's to show when it takes the answer.
  firstPage.catch(() => undefined);
}

/** The prefetched first page, once; null when there is none. */
export function takePrefetchedRooms(): Promise<RoomList> | null {
  const taken = firstPage;
  firstPage = null;
  return taken;
}
