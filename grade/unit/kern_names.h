/*
 * kern_names.h - kernel function names, moved aside for the host.
 *
 * Unit tests link kernel code into a host program beside the C library,
 * which has its own snprintf, memcpy and strlen.  This header is forced
 * (gcc -include) into every kernel file compiled for the unit tests, so
 * the kernel's versions become kern_snprintf, kern_memcpy, ... and both
 * can be called, and compared, in one program.
 */
#define vprintfmt	kern_vprintfmt
#define cprintf		kern_cprintf
#define vcprintf	kern_vcprintf
#define snprintf	kern_snprintf
#define vsnprintf	kern_vsnprintf
#define strlen		kern_strlen
#define strnlen		kern_strnlen
#define strcmp		kern_strcmp
#define strncmp		kern_strncmp
#define strlcpy		kern_strlcpy
#define strchr		kern_strchr
#define strtol		kern_strtol
#define memset		kern_memset
#define memcpy		kern_memcpy
#define memmove		kern_memmove
#define memcmp		kern_memcmp
#define cons_putc	kern_cons_putc
#define elfcheck	kern_elfcheck
#define desc_base	kern_desc_base
#define desc_limit	kern_desc_limit
#define desc_shadow	kern_desc_shadow
