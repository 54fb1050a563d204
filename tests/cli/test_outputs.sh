#!/usr/bin/env bash
# Every -o follows one set of rules: no clobbering without --force, only
# regular files are ever replaced, never an input, the umask's mode, write
# errors name the output asked for.
. "$(dirname "$0")/lib.sh"

"$GCFIX" --hvm --pages 256 -o "$T/in.core" >/dev/null || { fail "outputs-fixture" "gcfixture failed"; exit 0; }
IN=$T/in.core

expect_rc "convert writes a new file" 0 convert "$IN" -o "$T/a.elf"
m=$(umask 027; "$GC" convert "$IN" -o "$T/b.elf" >/dev/null 2>&1; stat -c %a "$T/b.elf")
[ "$m" = 640 ] && pass "convert output gets the umask's mode" || fail "convert output gets the umask's mode" "mode $m under umask 027"
m=$(umask 022; "$GC" convert "$IN" -o "$T/c.elf" >/dev/null 2>&1; stat -c %a "$T/c.elf")
[ "$m" = 644 ] && pass "convert output gets the umask's mode (022)" || fail "convert output gets the umask's mode (022)" "mode $m"

expect_err() {  # NAME SUBSTRING ARGS...
	local name=$1 sub=$2
	shift 2
	OUT=$("$GC" "$@" 2>"$T/err"); RC=$?
	ERR=$(cat "$T/err")
	if [ "$RC" = 2 ] && [[ "$ERR" == *"$sub"* ]]; then pass "$name"; else fail "$name" "exit $RC: $ERR"; fi
}
expect_err "convert refuses an existing output" "exists (use --force to overwrite)" convert "$IN" -o "$T/a.elf"
expect_rc "convert --force replaces a regular file" 0 convert "$IN" -o "$T/a.elf" --force
mkfifo "$T/fifo"
expect_err "convert --force never replaces a FIFO" "is a FIFO; only a regular file is ever replaced" convert "$IN" -o "$T/fifo" --force
[ -p "$T/fifo" ] && pass "the FIFO is still a FIFO" || fail "the FIFO is still a FIFO" "replaced"
ln -s "$T/a.elf" "$T/link"
expect_err "convert --force never replaces a symlink" "is a symbolic link" convert "$IN" -o "$T/link" --force
[ -L "$T/link" ] && pass "the symlink is still a symlink" || fail "the symlink is still a symlink" "replaced"
expect_err "convert --force never replaces a directory" "is a directory" convert "$IN" -o "$T" --force
expect_err "convert never overwrites its input" "is the input file itself" convert "$T/a.elf" -o "$T/a.elf" --force
ln "$T/a.elf" "$T/hard.elf"
expect_err "convert never overwrites its input (hard link)" "is the input file itself" convert "$T/a.elf" -o "$T/hard.elf" --force
if [ -w /dev/full ] && [ "$(id -u)" = 0 ]; then
	expect_err "convert --force refuses /dev/full" "is a character device" convert "$IN" -o /dev/full --force
	[ -c /dev/full ] && pass "/dev/full is still a device" || fail "/dev/full is still a device" "replaced!"
fi
ls -a "$T" | grep -q gctmp && fail "no temporary files left" "$(ls -a "$T")" || pass "no temporary files left"

# read -o: the same rules.
expect_rc "read -o writes a new file" 0 read "$IN" -p 0 64 -o "$T/r.bin"
[ "$(stat -c %s "$T/r.bin")" = 64 ] && pass "read -o wrote 64 bytes" || fail "read -o wrote 64 bytes" "$(stat -c %s "$T/r.bin")"
expect_err "read -o refuses an existing file" "exists (use --force to overwrite)" read "$IN" -p 0 64 -o "$T/r.bin"
expect_rc "read -o --force replaces it" 0 read "$IN" -p 0 64 -o "$T/r.bin" --force
expect_err "read -o never overwrites its input" "is the input file itself" read "$IN" -p 0 64 -o "$IN" --force
[ "$(stat -c %s "$IN")" -gt 64 ] && pass "the input is intact" || fail "the input is intact" "truncated"

# A full file system: the error names the output asked for.
if [ "$(id -u)" = 0 ] && mkdir -p "$T/small" && mount -t tmpfs -o size=256k tmpfs "$T/small" 2>/dev/null; then
	expect_err "a full disk names the output" "writing $T/small/x.elf" convert "$IN" -o "$T/small/x.elf"
	ls -a "$T/small" | grep -q gctmp && fail "no temporary file left on a full disk" "left" || pass "no temporary file left on a full disk"
	umount "$T/small"
else
	skip "full disk" "cannot mount a tmpfs here"
fi

# A file system without RENAME_NOREPLACE (renameat2 fails EINVAL: some
# network and FUSE file systems), where OUT appears after the writer's
# check (another process): the fallback must not replace it.  A preloaded
# renameat2 makes OUT, then fails as such a file system does.
if command -v cc >/dev/null; then
	cat > "$T/norename.c" <<'CEOF'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int renameat2(int ofd, const char *old, int nfd, const char *new, unsigned f)
{
	(void)ofd; (void)old; (void)f;
	int fd = openat(nfd, new, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd >= 0) {
		(void)write(fd, "theirs\n", 7);
		close(fd);
	}
	errno = EINVAL;
	return -1;
}
CEOF
	if cc -shared -fPIC -o "$T/norename.so" "$T/norename.c" 2>"$T/cc.err"; then
		rm -f "$T/race.elf"
		# (an ASan build wants its runtime first in the preload list)
		OUT=$(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
			LD_PRELOAD="$T/norename.so" "$GC" convert "$IN" -o "$T/race.elf" 2>"$T/err"); RC=$?
		same "no-noreplace fallback keeps a file made meanwhile" "$RC $(head -c 6 "$T/race.elf" | tr -c 'a-z' '?')" "2 theirs"
		case "$(head -c 300 "$T/err")" in *"exists (use --force to overwrite)"*)
			pass "no-noreplace fallback says it exists" ;;
		*) fail "no-noreplace fallback says it exists" "$(head -c 300 "$T/err")" ;; esac
		same "no-noreplace fallback leaves no temporary file" "$(ls -a "$T" | grep -c gctmp)" 0
	else
		skip "no-noreplace fallback" "cc failed: $(head -1 "$T/cc.err")"
	fi
else
	skip "no-noreplace fallback" "no C compiler"
fi

