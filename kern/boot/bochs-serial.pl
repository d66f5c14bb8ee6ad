#!/usr/bin/perl
# bochs-serial.pl - run Bochs with the guest's COM1 joined to our stdin/stdout.
#
#	perl kern/boot/bochs-serial.pl BOCHS RUNDIR
#
# Only bochs-run.sh calls this, with RUNDIR holding `bochsrc.pre` (the
# finished configuration but for the COM1 port) and `debugger.rc`.
#
# Bochs can connect a serial port to a file (output only), to a terminal
# it opens itself, or to a TCP socket; only the socket carries both
# directions without a terminal.  So this script is the socket's other
# end: it listens on a free port of the loopback interface, starts Bochs
# as a client of it, copies COM1 to stdout and stdin to COM1 until Bochs
# exits, and then reads Bochs's log to tell how the run ended.  Exit
# codes and messages are bochs-run.sh's (see there).

use strict;
use warnings;
use Config;
use IO::Select;
use IO::Socket::INET;
use POSIX qw(:sys_wait_h :termios_h);

use constant {
	EXIT_MAX_STATUS	=> 119,	# kernel statuses above this are reported as this
	EXIT_TRIPLE	=> 120,
	EXIT_STOPPED	=> 121,
	EXIT_NORUN	=> 122,
	CONNECT_TIMEOUT	=> 30,	# seconds for Bochs to start and connect COM1
};

my ($bochs, $dir) = @ARGV;
die "usage: perl bochs-serial.pl BOCHS RUNDIR\n" unless defined $dir;
my $log = "$dir/bochs.log";
my $out = "$dir/bochs.out";
my $pid = 0;		# Bochs, while it runs
my $tty_saved;		# the terminal's settings, while we have changed them
my $tail = '';		# the end of the console output

# End the run: Bochs dead and reaped, the terminal as we found it, and
# the run directory gone unless it is needed to explain a failure.
sub finish {
	my ($code, $msg) = @_;

	if ($pid) {
		kill 'TERM', $pid;
		for (1 .. 20) {
			last if waitpid($pid, WNOHANG) == $pid;
			select(undef, undef, undef, 0.05);
		}
		kill 'KILL', $pid if kill 0, $pid;
		waitpid($pid, 0);
		$pid = 0;
	}
	$tty_saved->setattr(0, TCSANOW) if $tty_saved;
	if (defined $msg) {
		# On a terminal, start our line where the console left off.
		print STDERR "\n" if -t STDERR && length $tail && $tail !~ /\n\z/;
		my $where = -s $log ? "Bochs's log: $log" : "Bochs's output: $out";
		print STDERR "bochs: $msg ($where)\n";
	} elsif ($ENV{BOCHS_KEEP}) {
		print STDERR "bochs: run directory kept: $dir\n";
	} else {
		system('rm', '-rf', $dir);
	}
	exit $code;
}

# Killed (the grader's timeout) or interrupted (^C): stop Bochs quietly.
for my $sig (qw(INT TERM HUP)) {
	$SIG{$sig} = sub {
		my %num = (INT => 2, HUP => 1, TERM => 15);
		finish(128 + $num{$sig});
	};
}
# A reader that went away shows up as a failed write, handled there.
$SIG{PIPE} = 'IGNORE';

sub write_all {
	my ($fh, $buf) = @_;
	while (length $buf) {
		my $n = syswrite($fh, $buf);
		return 0 unless $n;
		substr($buf, 0, $n) = '';
	}
	return 1;
}

# The bridge's end of COM1: any free port, reachable only from this host.
my $listener = IO::Socket::INET->new(
	LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1,
	Proto => 'tcp', ReuseAddr => 1)
	or finish(EXIT_NORUN, "cannot listen on the loopback interface: $!");
my $port = $listener->sockport;
{
	local $/;
	open(my $in, '<', "$dir/bochsrc.pre")
		or finish(EXIT_NORUN, "$dir/bochsrc.pre: $!");
	my $rc = <$in>;
	$rc =~ s/\@COM1PORT\@/$port/g;
	open(my $o, '>', "$dir/bochsrc") or finish(EXIT_NORUN, "$dir/bochsrc: $!");
	print $o $rc;
	close $o or finish(EXIT_NORUN, "$dir/bochsrc: $!");
}

$pid = fork();
finish(EXIT_NORUN, "cannot fork: $!") unless defined $pid;
if ($pid == 0) {
	$SIG{$_} = 'DEFAULT' for qw(INT TERM HUP PIPE);
	# Bochs's own output (the debugger's chatter, port 0xE9) goes to a
	# file, and it must never read our stdin: that is the guest's.
	chdir $dir or die "$dir: $!\n";
	open(STDIN, '<', '/dev/null');
	open(STDOUT, '>', $out);
	open(STDERR, '>&', \*STDOUT);
	# On Linux, have the kernel kill Bochs if we die without cleaning
	# up (SIGKILL): prctl(PR_SET_PDEATHSIG, SIGKILL).
	my %prctl = (x86_64 => 157, i386 => 172, i486 => 172, i586 => 172,
		     i686 => 172, aarch64 => 167, arm => 172);
	my ($arch) = $Config{archname} =~ /^([^-]+)/;
	syscall($prctl{$arch}, 1, 9) if $^O eq 'linux' && $prctl{$arch};
	{
		no warnings 'exec';
		exec $bochs, '-q', '-f', 'bochsrc', '-rc', 'debugger.rc';
	}
	print STDERR "cannot run $bochs: $!\n";
	POSIX::_exit(127);
}

# Wait for Bochs to connect; it does so while it builds the machine.
my $conn;
my $waited = 0;
my $lsel = IO::Select->new($listener);
until ($conn) {
	if ($lsel->can_read(0.1)) {
		$conn = $listener->accept;
	} elsif (waitpid($pid, WNOHANG) == $pid) {
		$pid = 0;
		last;
	} elsif (($waited += 0.1) > CONNECT_TIMEOUT) {
		finish(EXIT_NORUN, "Bochs did not connect COM1 in " .
		       CONNECT_TIMEOUT . " seconds");
	}
}
close $listener;

# A terminal on stdin: hand the keys to the guest one by one, unechoed
# (the kernel echoes what it reads).  ^C still interrupts the run.
if ($conn && -t STDIN) {
	my $t = POSIX::Termios->new;
	if ($t->getattr(0)) {
		$tty_saved = POSIX::Termios->new;
		$tty_saved->getattr(0);
		$t->setlflag($t->getlflag & ~(ECHO | ICANON));
		$t->setcc(VMIN, 1);
		$t->setcc(VTIME, 0);
		$t->setattr(0, TCSANOW);
	}
}

# The bridge.  Input waits until the guest has said something on COM1:
# until it has set the UART up, anything typed would be lost (a kernel
# clears the UART as it starts).  At the end of stdin we stop reading it
# but keep COM1 open: Bochs would read a closed socket as an endless
# stream of NULs.
if ($conn) {
	my $sel = IO::Select->new($conn);
	# A pipe on stdout whose reader has gone shows as readable (an
	# error): stop then, rather than leave the guest running for no one.
	$sel->add(\*STDOUT) if -p STDOUT;
	my $input_on = 0;
	my $buf;
	while ($pid || $sel->exists($conn)) {
		for my $fh ($sel->can_read(0.1)) {
			finish(128 + 13) if $fh == \*STDOUT;	# as SIGPIPE would
			my $n = sysread($fh, $buf, 65536);
			if (!$n) {
				$sel->remove($fh);
				next;
			}
			if ($fh == $conn) {
				write_all(\*STDOUT, $buf) or finish(128 + 13);
				$tail = substr($tail . $buf, -4096);
				$sel->add(\*STDIN) unless $input_on++;
			} else {
				write_all($conn, $buf);
			}
		}
		if ($pid && waitpid($pid, WNOHANG) == $pid) {
			$pid = 0;
			$sel->remove(\*STDIN);	# nobody to type to now
		}
		# Bochs gone and all it sent read: done.
		last if !$pid && !$sel->can_read(0);
	}
}
waitpid($pid, 0) if $pid;
$pid = 0;

# How did it end?  Bochs reports everything, the kernel's shutdown
# included, as a panic in its log.
my @panics;
for my $file ($log, $out) {	# errors in bochsrc come before the log
	open(my $l, '<', $file) or next;
	while (<$l>) {
		push @panics, $1 if />>PANIC<<\s*(.*?)\s*$/;
	}
}
if (grep { /Shutdown port: shutdown requested/ } @panics) {
	my @st = $tail =~ /exit status (-?\d+)/g;
	my $st = @st ? $st[-1] : 0;
	$st = EXIT_MAX_STATUS if $st < 0 || $st > EXIT_MAX_STATUS;
	finish($st);
}
finish(EXIT_TRIPLE, "triple fault")
	if grep { /3rd \(\d+\) exception with no resolution/ } @panics;
finish(EXIT_NORUN, "Bochs could not start: " . ($panics[0] // "no reason given"))
	unless $conn;
finish(EXIT_STOPPED, @panics ? "Bochs stopped: $panics[0]"
			     : "Bochs exited before the kernel shut the machine down");
