import type { QualityReport } from '../api.ts';
import { useCallQuality } from './call-quality.ts';
import type { CallComponent, PlatformComponent } from './types.ts';

/**
 * A platform's component with its call measured (call-quality.ts): joined, failed, degraded, as
 * the component reports them, sent when the call fails, the page hides or the call unmounts.
 */
export function measured(Platform: PlatformComponent, send?: (meetingId: string, report: QualityReport) => void) {
  const Measured: CallComponent = ({ startedAt, ...props }) => {
    const call = useCallQuality(props.meeting.id, startedAt, send);
    return (
      <Platform
        {...props}
        onJoined={() => {
          call.quality.joined();
          props.onJoined();
        }}
        onProblem={(problem) => {
          call.quality.failed(problem.reason);
          call.send();
          props.onProblem(problem);
        }}
        onConnection={(degraded) => call.quality.connection(degraded)}
      />
    );
  };
  return Measured;
}
