/*
 * unit_decode.c - the instruction decoder on hand-picked encodings.
 *
 * Each case is an instruction whose fields are known from the Intel SDM:
 * prefixes, every ModRM/SIB/displacement form (32- and 16-bit), every
 * immediate shape, and the classification the emulator and the binary
 * translator rely on.  unit_decode_cs.c checks lengths wholesale against
 * Capstone; this file checks that the fields mean what they say.
 */
#include <string.h>
#include <criterion/criterion.h>

#include "vmm/decode.h"
#include "vmm/vcpu.h"

/* Decode a byte string literal, expecting success. */
#define DEC(in, s) do {							\
	int _n = insn_decode(&(in), (const uint8_t *) (s), sizeof(s) - 1); \
	cr_assert_eq(_n, (int) sizeof(s) - 1, "decode %s: got %d", #s, _n); \
	cr_assert_eq((in).len, sizeof(s) - 1);				\
} while (0)

/* Expect a decode error. */
#define BAD(s, err) do {						\
	struct insn _in;						\
	int _n = insn_decode(&_in, (const uint8_t *) (s), sizeof(s) - 1); \
	cr_assert_eq(_n, (err), "decode %s: got %d, want %d", #s, _n, (err)); \
} while (0)

Test(decode, simple_one_byte)
{
	struct insn in;

	DEC(in, "\x90");
	cr_assert_eq(in.map, MAP_ONE);
	cr_assert_eq(in.op, 0x90);
	cr_assert_eq(in.opsize, 4);
	cr_assert_eq(in.adsize, 4);
	DEC(in, "\xfa");			/* cli */
	cr_assert(in.flags & INSN_IOPL);
	DEC(in, "\xf4");			/* hlt */
	cr_assert(in.flags & INSN_PRIV);
	DEC(in, "\x9c");			/* pushf */
	cr_assert(in.flags & INSN_SENSITIVE);
	cr_assert(in.flags & INSN_STACK);
}

Test(decode, prefixes)
{
	struct insn in;

	DEC(in, "\x66\x89\x03");		/* mov %ax,(%ebx) */
	cr_assert_eq(in.opsize, 2);
	cr_assert_eq(in.npfx, 1);
	cr_assert(in.prefixes & PFX_OPSIZE);
	DEC(in, "\xf3\xa5");			/* rep movsl */
	cr_assert(in.prefixes & PFX_REP);
	cr_assert(in.flags & INSN_STRING);
	DEC(in, "\xf2\xf3\xa4");		/* the last of f2/f3 wins */
	cr_assert_eq(in.prefixes & (PFX_REP | PFX_REPNE), PFX_REP);
	DEC(in, "\x64\x65\x8b\x00");		/* the last override wins */
	cr_assert_eq(in.seg, SEG_GS);
	DEC(in, "\xf0\x0f\xb1\x0a");		/* lock cmpxchg %ecx,(%edx) */
	cr_assert(in.prefixes & PFX_LOCK);
	DEC(in, "\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x90");
	cr_assert_eq(in.len, 14);
	/* 14 prefixes, opcode, ModRM: 16 bytes */
	BAD("\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x89\x03",
	    DECODE_TOOLONG);
	BAD("\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x90",
	    DECODE_TOOLONG);
	BAD("\xf0\x89\x03", DECODE_UNDEF);	/* lock on a plain store */
	BAD("\xf0\x01\xc0", DECODE_UNDEF);	/* lock on a register */
}

Test(decode, modrm_forms)
{
	struct insn in;

	DEC(in, "\x8b\x03");			/* mov (%ebx),%eax */
	cr_assert(in.mem);
	cr_assert_eq(in.base, REG_EBX);
	cr_assert_eq(in.index, INSN_NOREG);
	cr_assert_eq(in.seg, SEG_DS);
	cr_assert(in.flags & INSN_MEM_R);
	cr_assert_not(in.flags & INSN_MEM_W);
	DEC(in, "\x89\x45\xfc");		/* mov %eax,-4(%ebp) */
	cr_assert_eq(in.base, REG_EBP);
	cr_assert_eq(in.disp, -4);
	cr_assert_eq(in.disp_size, 1);
	cr_assert_eq(in.seg, SEG_SS);
	cr_assert(in.flags & INSN_MEM_W);
	DEC(in, "\x8b\x05\x78\x56\x34\x12");	/* mov 0x12345678,%eax */
	cr_assert_eq(in.base, INSN_NOREG);
	cr_assert_eq(in.disp, 0x12345678);
	DEC(in, "\x8b\x84\x8b\x00\x01\x00\x00");	/* mov 0x100(%ebx,%ecx,4),%eax */
	cr_assert(in.has_sib);
	cr_assert_eq(in.base, REG_EBX);
	cr_assert_eq(in.index, REG_ECX);
	cr_assert_eq(in.scale, 4);
	cr_assert_eq(in.disp, 0x100);
	DEC(in, "\x8b\x04\x24");		/* mov (%esp),%eax: no index */
	cr_assert_eq(in.base, REG_ESP);
	cr_assert_eq(in.index, INSN_NOREG);
	cr_assert_eq(in.seg, SEG_SS);
	DEC(in, "\x8b\x04\xcd\x10\x00\x00\x00");	/* mov 0x10(,%ecx,8): SIB without base */
	cr_assert_eq(in.base, INSN_NOREG);
	cr_assert_eq(in.index, REG_ECX);
	cr_assert_eq(in.scale, 8);
	cr_assert_eq(in.disp, 0x10);
	cr_assert_eq(in.seg, SEG_DS);
	DEC(in, "\x8b\x44\x25\x08");		/* SIB base ebp with disp8: a real base */
	cr_assert_eq(in.base, REG_EBP);
	cr_assert_eq(in.seg, SEG_SS);
	DEC(in, "\x2e\x8b\x45\x00");		/* override beats the ss default */
	cr_assert_eq(in.seg, SEG_CS);
	DEC(in, "\x89\xc8");			/* register form */
	cr_assert_not(in.mem);
	cr_assert_eq(in.rm, REG_EAX);
	cr_assert_eq(in.reg, REG_ECX);
	cr_assert_not(in.flags & (INSN_MEM_R | INSN_MEM_W));
}

Test(decode, modrm16)
{
	struct insn in;
	uint32_t gpr[NGPRS] = { [REG_EBX] = 0x1000, [REG_ESI] = 0x20, [REG_EBP] = 0xfff0,
				[REG_EDI] = 0x3 };

	DEC(in, "\x67\x8b\x00");		/* mov (%bx,%si),%eax */
	cr_assert_eq(in.adsize, 2);
	cr_assert_eq(insn_ea(&in, gpr), 0x1020);
	DEC(in, "\x67\x8b\x06\x34\x12");	/* mov 0x1234,%eax: disp16 only */
	cr_assert_eq(in.base, INSN_NOREG);
	cr_assert_eq(insn_ea(&in, gpr), 0x1234);
	DEC(in, "\x67\x8b\x43\x7f");		/* mov 0x7f(%bp,%di): wraps, ss */
	cr_assert_eq(in.seg, SEG_SS);
	cr_assert_eq(insn_ea(&in, gpr), (0xfff0 + 3 + 0x7f) & 0xffff);
	DEC(in, "\x67\x8b\x87\xff\xff");	/* mov -1(%bx) */
	cr_assert_eq(insn_ea(&in, gpr), 0x0fff);
	DEC(in, "\x67\x8b\x46\x00");		/* (%bp) needs a disp8 */
	cr_assert_eq(in.base, REG_EBP);
	DEC(in, "\x67\xa1\x00\x80");		/* moffs16 */
	cr_assert_eq(insn_ea(&in, gpr), 0x8000);
}

Test(decode, immediates)
{
	struct insn in;

	DEC(in, "\x83\xc0\xff");		/* add $-1,%eax: sign-extended */
	cr_assert_eq(in.imm, 0xffffffff);
	cr_assert_eq(in.imm_size, 1);
	DEC(in, "\x80\xc0\xff");		/* add $0xff,%al */
	cr_assert_eq(in.imm, 0xff);
	DEC(in, "\x81\x05\x00\x10\x00\x00\x78\x56\x34\x12");
	cr_assert_eq(in.disp, 0x1000);
	cr_assert_eq(in.imm, 0x12345678);
	DEC(in, "\x66\x81\x05\x00\x10\x00\x00\x34\x12");	/* iw under 66 */
	cr_assert_eq(in.imm, 0x1234);
	DEC(in, "\xc7\x44\x24\x04\x01\x00\x00\x00");	/* movl $1,4(%esp) */
	cr_assert_eq(in.imm, 1);
	DEC(in, "\xf6\x05\x00\x10\x00\x00\x80");	/* testb $0x80: group 3 imm */
	cr_assert_eq(in.imm, 0x80);
	DEC(in, "\xf7\xd8");				/* neg %eax: no imm */
	cr_assert_eq(in.imm_size, 0);
	DEC(in, "\xf7\xc1\x01\x00\x00\x00");		/* test $1,%ecx */
	DEC(in, "\x66\xf7\xc1\x01\x00");		/* test $1,%cx */
	DEC(in, "\xc8\x10\x00\x02");			/* enter $0x10,$2 */
	cr_assert_eq(in.imm, 0x10);
	cr_assert_eq(in.imm2, 2);
	DEC(in, "\xc2\x08\x00");			/* ret $8 */
	cr_assert(in.flags & INSN_RET);
	DEC(in, "\x66\xc2\x08\x00");			/* iw whatever the size */
	DEC(in, "\xcd\x30");				/* int $0x30 */
	cr_assert_eq(in.imm, 0x30);
	cr_assert(in.flags & INSN_INT);
	DEC(in, "\xa1\x20\x00\xe0\xfe");		/* mov 0xfee00020,%eax */
	cr_assert_eq(in.disp, (int32_t) 0xfee00020);
	cr_assert(in.flags & INSN_MEM_R);
	DEC(in, "\xa3\x20\x00\xe0\xfe");
	cr_assert(in.flags & INSN_MEM_W);
	DEC(in, "\x6a\x80");				/* push $-128 */
	cr_assert_eq(in.imm, 0xffffff80);
	DEC(in, "\x6b\xc0\x10");			/* imul $16,%eax,%eax */
}

Test(decode, far_and_branches)
{
	struct insn in;

	DEC(in, "\xea\x78\x56\x34\x12\x08\x00");	/* ljmp $8,$0x12345678 */
	cr_assert_eq(in.imm, 0x12345678);
	cr_assert_eq(in.imm2, 8);
	cr_assert(in.flags & INSN_FAR);
	DEC(in, "\x66\xea\x34\x12\x08\x00");		/* ljmpw $8,$0x1234 */
	cr_assert_eq(in.imm, 0x1234);
	DEC(in, "\x9a\x00\x00\x10\x00\x1b\x00");	/* lcall */
	cr_assert(in.flags & INSN_CALL);
	DEC(in, "\xeb\xfe");				/* jmp . */
	cr_assert_eq(insn_branch_target(&in, 0x1000), 0x1000);
	DEC(in, "\xe8\x00\x00\x00\x00");		/* call next */
	cr_assert_eq(insn_branch_target(&in, 0x1000), 0x1005);
	DEC(in, "\x0f\x84\xfa\xff\xff\xff");		/* je . */
	cr_assert(in.flags & INSN_JCC);
	cr_assert_eq(insn_branch_target(&in, 0x1000), 0x1000);
	DEC(in, "\x66\xe9\xfc\xff");			/* jmpw: 16-bit target */
	cr_assert_eq(insn_branch_target(&in, 0x12340), 0x2340);
	DEC(in, "\xff\xd0");				/* call *%eax */
	cr_assert(in.flags & INSN_INDIRECT);
	DEC(in, "\xff\x2d\x00\x10\x00\x00");		/* ljmp *0x1000 */
	cr_assert(in.flags & INSN_FAR);
	BAD("\xff\xe8", DECODE_UNDEF);			/* far jmp needs memory */
	BAD("\xff\xf8", DECODE_UNDEF);			/* ff /7 */
	DEC(in, "\xcf");
	cr_assert(in.flags & INSN_IRET);
	DEC(in, "\xe3\x10");				/* jecxz */
	cr_assert(in.flags & INSN_JCC);
}

Test(decode, twobyte_system)
{
	struct insn in;

	DEC(in, "\x0f\x01\x15\x00\x10\x00\x00");	/* lgdt 0x1000 */
	cr_assert_eq(in.map, MAP_0F);
	cr_assert_eq(in.op, 0x01);
	cr_assert_eq(in.reg, 2);
	cr_assert(in.flags & INSN_PRIV);
	DEC(in, "\x0f\x01\x00");			/* sgdt (%eax) */
	cr_assert(in.flags & INSN_SENSITIVE);
	cr_assert(in.flags & INSN_MEM_W);
	DEC(in, "\x0f\x01\x38");			/* invlpg (%eax) */
	cr_assert(in.flags & INSN_PRIV);
	DEC(in, "\x0f\x01\xe0");			/* smsw %eax */
	BAD("\x0f\x01\xf8", DECODE_UNDEF);		/* swapgs: 64-bit only */
	DEC(in, "\x0f\x00\xd8");			/* ltr %ax */
	cr_assert(in.flags & INSN_PRIV);
	DEC(in, "\x0f\x00\xc0");			/* sldt %eax */
	cr_assert(in.flags & INSN_SENSITIVE);
	BAD("\x0f\x00\x30", DECODE_UNDEF);		/* group 6 /6 */
	DEC(in, "\x0f\x1f\xc0");			/* nopl %eax */
	cr_assert_not(in.flags & INSN_UD);
	DEC(in, "\xd1\x75\x7b");			/* shl's alias d1 /6: QEMU runs it */
	cr_assert_not(in.flags & INSN_UD);
	cr_assert_eq(in.len, 3);
	DEC(in, "\x0f\x22\xd8");			/* mov %eax,%cr3 */
	cr_assert_not(in.mem);
	cr_assert_eq(in.reg, 3);
	DEC(in, "\x0f\x20\x00");			/* mod is ignored: register */
	cr_assert_not(in.mem);
	BAD("\x0f\x22\xc8", DECODE_UNDEF);		/* cr1 */
	DEC(in, "\x0f\x23\xf8");			/* mov %eax,%dr7 */
	DEC(in, "\x0f\x06");				/* clts */
	DEC(in, "\x0f\x09");				/* wbinvd */
	DEC(in, "\x0f\x30");				/* wrmsr */
	DEC(in, "\x0f\x32");
	DEC(in, "\x0f\xa2");				/* cpuid */
	DEC(in, "\x0f\x31");				/* rdtsc */
	DEC(in, "\x0f\x34");				/* sysenter */
	DEC(in, "\x0f\x35");				/* sysexit */
	DEC(in, "\x0f\x0b");				/* ud2 */
	cr_assert(in.flags & INSN_UD);
	DEC(in, "\x0f\x02\xc1");			/* lar %ecx,%eax */
	DEC(in, "\x0f\x03\x03");			/* lsl (%ebx),%eax */
}

Test(decode, twobyte_general)
{
	struct insn in;

	DEC(in, "\x0f\xb6\x03");			/* movzbl (%ebx),%eax */
	DEC(in, "\x0f\xbf\x43\x02");			/* movswl 2(%ebx),%eax */
	DEC(in, "\x0f\xba\x2b\x05");			/* btsl $5,(%ebx) */
	cr_assert_eq(in.imm, 5);
	cr_assert(in.flags & INSN_MEM_W);
	BAD("\x0f\xba\x03\x05", DECODE_UNDEF);		/* group 8 /0 */
	DEC(in, "\x0f\xa4\xc2\x04");			/* shld $4 */
	DEC(in, "\x0f\xad\xc2");			/* shrd %cl */
	DEC(in, "\x0f\xc1\x03");			/* xadd */
	DEC(in, "\x0f\xc7\x0e");			/* cmpxchg8b (%esi) */
	BAD("\x0f\xc7\xc8", DECODE_UNDEF);
	DEC(in, "\x0f\xc9");				/* bswap %ecx */
	DEC(in, "\x0f\x44\xc1");			/* cmove */
	DEC(in, "\x0f\x94\xc0");			/* sete %al */
	DEC(in, "\x0f\xbc\xc1");			/* bsf */
	DEC(in, "\x0f\x1f\x44\x00\x00");		/* nopl 0(%eax,%eax) */
	DEC(in, "\x66\x0f\x1f\x84\x00\x00\x00\x00\x00");
	DEC(in, "\x0f\xae\xf0");			/* mfence */
	DEC(in, "\x0f\xae\x38");			/* clflush (%eax) */
	DEC(in, "\x0f\x6f\xc1");			/* movq %mm1,%mm0 */
	cr_assert(in.flags & INSN_SIMD);
	DEC(in, "\x66\x0f\x6f\x01");			/* movdqa (%ecx),%xmm0 */
	DEC(in, "\xf3\x0f\x10\x05\x00\x10\x00\x00");	/* movss */
	DEC(in, "\x0f\x70\xc1\x1b");			/* pshufw $0x1b */
	DEC(in, "\x66\x0f\x73\xd8\x04");		/* psrldq $4 */
	BAD("\x0f\x73\xd8\x04", DECODE_UNDEF);		/* ... only with 66 */
	BAD("\x0f\x7c\xc1", DECODE_UNDEF);		/* haddps needs f2 */
	BAD("\x0f\x38\x00\xc1", DECODE_UNDEF);		/* SSSE3: refused */
	BAD("\xc5\xf8\x77", DECODE_UNDEF);		/* VEX vzeroupper */
	BAD("\x0f\xff", DECODE_UNDEF);
}

Test(decode, x87)
{
	struct insn in;

	DEC(in, "\xd9\xe8");				/* fld1 */
	cr_assert(in.flags & INSN_X87);
	DEC(in, "\xdd\x5c\x24\x08");			/* fstpl 8(%esp) */
	DEC(in, "\xdf\xe0");				/* fnstsw %ax */
	DEC(in, "\xdb\xe3");				/* fninit */
	DEC(in, "\xde\xd9");				/* fcompp */
	DEC(in, "\xd9\x7d\xfe");			/* fnstcw -2(%ebp) */
	BAD("\xd9\x08", DECODE_UNDEF);			/* d9 /1 mem */
	BAD("\xd9\xd1", DECODE_UNDEF);
	BAD("\xdb\xf8", DECODE_UNDEF);
}

Test(decode, undefined_and_truncated)
{
	struct insn in;

	DEC(in, "\xd6");				/* salc: undocumented, QEMU runs it */
	cr_assert_eq(in.len, 1);
	BAD("\x8d\xc0", DECODE_UNDEF);			/* lea of a register */
	BAD("\xc4\xc0", DECODE_UNDEF);			/* les of a register (VEX) */
	BAD("\x8f\xc8", DECODE_UNDEF);			/* 8f /1 (XOP) */
	BAD("\xc6\xc8\x00", DECODE_UNDEF);
	BAD("\x8e\xc8", DECODE_UNDEF);			/* mov to %cs */
	BAD("\x0f\x0f\xc1\x9e", DECODE_UNDEF);		/* 3DNow! */
	BAD("\x8b", DECODE_TRUNC);
	BAD("\x8b\x84", DECODE_TRUNC);
	BAD("\x8b\x84\x8b\x00\x01", DECODE_TRUNC);
	BAD("\x0f", DECODE_TRUNC);
	BAD("\xea\x78\x56\x34\x12\x08", DECODE_TRUNC);
	BAD("\x66", DECODE_TRUNC);
	cr_assert_eq(insn_decode(&in, (const uint8_t *) "", 0), DECODE_TRUNC);
	cr_assert_str_neq(insn_strerror(DECODE_UNDEF), "ok");
}
