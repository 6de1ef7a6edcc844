/**
 * The CDK construct (`sundial-scheduler/cdk`): Sundial in your own CDK app. Its Lambda handlers ship
 * pre-bundled in the package; `aws-cdk-lib` and `constructs` are your app's own (peer dependencies).
 */

export { SundialOperations } from './operations';
export type { TrackedTargetOptions } from './outcomes';
export type { AlarmTuning, SundialAlarmProps, SundialOperationsProps } from './props';
export { Sundial, type SundialProps } from './sundial';
export { SundialStack, type SundialStackProps } from './sundial-stack';
