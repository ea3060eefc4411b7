/** Where the local service pretends to live: the region and account that appear in every ARN. */
export interface AwsLocation {
  region: string;
  accountId: string;
}

/** The ARN of the state machine called `name`. */
export function stateMachineArn(location: AwsLocation, name: string): string {
  return `arn:aws:states:${location.region}:${location.accountId}:stateMachine:${name}`;
}

/** The ARN of execution `executionName` of state machine `machineName`. */
export function executionArn(location: AwsLocation, machineName: string, executionName: string): string {
  return `arn:aws:states:${location.region}:${location.accountId}:execution:${machineName}:${executionName}`;
}

/** The role ARN reported as the executions' role (`$$.Execution.RoleArn`, ExecutionStarted event). */
export function executionRoleArn(location: AwsLocation, machineName: string): string {
  return `arn:aws:iam::${location.accountId}:role/local-stepfunctions/${machineName}`;
}

/** Whether `arn` looks like a Step Functions ARN of the given resource type, as AWS checks before lookup. */
export function isStatesArn(arn: string, resourceType: 'stateMachine' | 'execution'): boolean {
  return new RegExp(`^arn:aws[a-z-]*:states:[a-z0-9-]+:\\d{12}:${resourceType}:.+`).test(arn);
}
