/*
 * console.h - the kernel console: every output device at once, one input.
 */
#ifndef KERN_CONSOLE_H
#define KERN_CONSOLE_H

/** @brief Bring up the serial line, the CGA screen and (under Bochs) port 0xE9. */
void cons_init(void);
/** @brief Write one character to every console device. */
void cons_putc(int c);
/** @brief Return the next input character, or -1 when none is waiting. */
int cons_getc(void);
/** @brief Wait for and return the next input character. */
int cons_getchar(void);
/**
 * @brief Read a line with echo and backspace into a static buffer.
 * @param prompt printed first, unless NULL
 * @return the line without its newline; NULL if input ended (^D)
 */
char *readline(const char *prompt);

#endif
