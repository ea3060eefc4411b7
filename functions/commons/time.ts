/** Whole seconds since the epoch, as DynamoDB's TTL and the due index keep time. */
export const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

export const addSeconds = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

export const addDays = (date: Date, days: number) => addSeconds(date, days * 86_400);
