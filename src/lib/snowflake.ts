/** A Discord id (user, server, message...) as it appears in text: 17 to 20 digits. */
export const snowflakePattern = /^\d{17,20}$/;
