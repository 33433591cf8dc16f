// Package clock is the server's notion of now: the machine's time plus an
// offset that tests move forward through the inspection API. The offset is
// kept in the database, so every instance and a restart agree on it;
// everything time-based (token and code expiry) asks this clock.
package clock
