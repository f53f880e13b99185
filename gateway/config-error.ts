/** A configuration value that cannot work; the message names it. Thrown at start-up, never later. */
export class ConfigError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}
