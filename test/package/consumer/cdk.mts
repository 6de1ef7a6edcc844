// A TypeScript CDK app that embeds the construct.
import { App, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Sundial, type SundialProps } from 'sundial-scheduler/cdk';

const props: SundialProps = { targetPrefixes: ['billing-'], shards: 8, removalPolicy: RemovalPolicy.DESTROY };
const app = new App();
const stack = new Stack(app, 'Consumer');
const sundial = new Sundial(stack, 'Sundial', props);
new CfnOutput(stack, 'ApiUrl', { value: sundial.api.apiEndpoint });
sundial.tickFunction.addEnvironment('EXTRA', 'yes');
