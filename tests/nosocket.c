/* nosocket.c - being written */
int mx_nosocket_placeholder;
