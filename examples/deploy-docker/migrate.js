// The example's release command: a stand-in for database migrations, run in the new image before traffic moves.
console.log("migrations: nothing to do");
