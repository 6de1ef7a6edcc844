import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Sundial, type SundialProps } from './sundial';

export interface SundialStackProps extends StackProps {
  readonly sundial?: SundialProps;
}

/** The deployable stack: one Sundial and the outputs a user needs to reach it. */
export class SundialStack extends Stack {
  readonly sundial: Sundial;

  constructor(scope: Construct, id: string, props: SundialStackProps = {}) {
    super(scope, id, props);
    this.sundial = new Sundial(this, 'Sundial', props.sundial);
    new CfnOutput(this, 'ApiUrl', {
      value: this.sundial.api.apiEndpoint,
      description: 'SUNDIAL_ENDPOINT for the SDK and CLI',
    });
    new CfnOutput(this, 'TableName', { value: this.sundial.table.tableName });
    new CfnOutput(this, 'TickScheduleName', { value: this.sundial.tickSchedule.scheduleName });
  }
}
