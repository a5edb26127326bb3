# The whole build happens in the ONBUILD triggers of the parent image.
FROM node:18-onbuild
EXPOSE 3000
