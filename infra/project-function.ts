import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundling } from './bundling.ts';
import { fromRepoRoot, REPO_ROOT } from './paths.ts';

/** Powertools Logger levels. */
export type PowertoolsLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface ProjectFunctionProps {
  /** Path of the handler module, relative to the repository root. */
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** POWERTOOLS_SERVICE_NAME. */
  readonly serviceName: string;
  /** POWERTOOLS_LOG_LEVEL. */
  readonly logLevel: PowertoolsLogLevel;
  /** Added to (and winning over) the shared variables. */
  readonly environment?: Record<string, string>;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** What happens to the log group when the function goes. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Anything else for the NodejsFunction. Wins over the shared defaults;
   * `bundling` and `environment` are merged key by key.
   */
  readonly overrides?: Partial<NodejsFunctionProps>;
}

/**
 * A Lambda function with the defaults every function of this product shares:
 * Node.js 24 on arm64, CommonJS bundle with the AWS SDK inside, source maps,
 * active tracing, Powertools settings, and its own log group with a
 * retention. Its role starts with nothing but the right to write to that log
 * group (no AWSLambdaBasicExecutionRole, whose CreateLogGroup is granted on
 * `*`); capabilities add the rest.
 */
export class ProjectFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    super(scope, id);
    const overrides = props.overrides ?? {};

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs: ${props.description}`.slice(0, 1000),
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'handler',
      tracing: lambda.Tracing.ACTIVE,
      projectRoot: REPO_ROOT,
      depsLockFilePath: fromRepoRoot('package-lock.json'),
      ...overrides,
      entry: fromRepoRoot(props.entry),
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      bundling: { ...bundling, ...overrides.bundling },
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        ...overrides.environment,
        ...props.environment,
      },
    });
  }

  /** Adds an environment variable after creation (capabilities wired in a later pass). */
  addEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }
}
