import { PLATFORM_NAMES, PLATFORMS } from '../../../domain/rooms.ts';

/** The head of a table with a column per platform, Whereby then Daily, after the row's label. */
export function PlatformsHead({ first }: { first: string }) {
  return (
    <thead>
      <tr>
        <th scope="col">{first}</th>
        {PLATFORMS.map((platform) => (
          <th scope="col" key={platform}>
            {PLATFORM_NAMES[platform]}
          </th>
        ))}
      </tr>
    </thead>
  );
}
